import { toRowPatch, type AttemptChanges } from '../../src/store/attempt-store.ts';
import type { Database } from '../../src/store/database.ts';

/**
 * Test set-up only: puts an attempt straight into whatever state and fields a test needs,
 * bypassing the lifecycle (whose own tests walk its table). No event is logged.
 */
export async function forceAttempt(db: Database, id: string, changes: AttemptChanges): Promise<void> {
  await db('attempts').where({ id }).update(toRowPatch(changes));
}
