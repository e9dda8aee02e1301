import { ATTEMPT_STATES, type AttemptState } from './attempt-store.ts';
import type { Database } from './database.ts';

/** How many attempts are in each state (every state present, zero when none): one GROUP BY over the state index. */
export async function countAttemptsByState(db: Database): Promise<Record<AttemptState, number>> {
  const rows: { state: AttemptState; count: number | string }[] = await db('attempts').groupBy('state').select('state').count({ count: '*' });
  const counts = Object.fromEntries(ATTEMPT_STATES.map((state) => [state, 0])) as Record<AttemptState, number>;
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}
