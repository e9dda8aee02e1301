import type { ApprovalState, AttemptState, TaskStatus } from './api-types.ts';
import type { Cell } from './text-table.ts';
import type { Style } from './terminal-style.ts';

type State = TaskStatus | AttemptState | ApprovalState;

/** The colour of each state: green went well, red did not, yellow wants a look, blue is under way. */
const COLOR_OF: Record<State, keyof Style> = {
  todo: 'dim',
  inprogress: 'blue',
  inreview: 'yellow',
  done: 'green',
  cancelled: 'dim',
  queued: 'dim',
  preparing: 'blue',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  pending: 'magenta',
  approved: 'green',
  denied: 'red',
  expired: 'yellow',
};

/** A state as a table cell, coloured when the output is. */
export function stateCell(style: Style, state: State): Cell {
  return { text: state, paint: style[COLOR_OF[state]] };
}

/** A state in its colour; `capitalized` to start a sentence. */
export function paintState(style: Style, state: State, capitalized = false): string {
  return style[COLOR_OF[state]](capitalized ? `${state[0]!.toUpperCase()}${state.slice(1)}` : state);
}
