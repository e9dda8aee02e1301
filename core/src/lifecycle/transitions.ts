import { ForgeError } from '@forge-core/sdk';

/** Every state an entity can be in, and the states it may move to from each. */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

/** The states from which `to` may be entered, narrowed to `onlyFrom` when the caller needs that. */
export function allowedFrom<S extends string>(table: Transitions<S>, to: S, onlyFrom?: readonly S[]): S[] {
  return (Object.keys(table) as S[]).filter((from) => table[from].includes(to) && (!onlyFrom || onlyFrom.includes(from)));
}

/**
 * The 409 for a move the table does not allow: it names the current state and what is allowed
 * from it, then `advice` (what the user can do instead) when the caller has some.
 */
export function transitionRefused<S extends string>(
  entity: 'attempt' | 'task' | 'process' | 'approval',
  id: string,
  table: Transitions<S>,
  current: S,
  requested: S,
  advice?: string,
): ForgeError {
  const allowed = table[current];
  const options = allowed.length ? allowed.join(', ') : 'nothing (it is final)';
  return new ForgeError(
    'FORGE_INVALID_TRANSITION',
    `The ${entity} ${id} is ${current}; it cannot move to ${requested}. From ${current} it can move to: ${options}.${advice ? ` ${advice}` : ''}`,
    { entity, id, state: current, requested, allowed },
  );
}
