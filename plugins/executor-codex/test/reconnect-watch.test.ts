import assert from 'node:assert/strict';
import { ReconnectWatch } from '../src/reconnect-watch.ts';

describe('the bound on codex reconnecting', () => {
  it('expires a row of retries once the limit has passed since its first retry', () => {
    const watch = new ReconnectWatch(100, () => assert.fail('the timer is not reached in this test'));
    assert.equal(watch.retry(1_000), false);
    assert.equal(watch.retry(1_099), false);
    assert.equal(watch.retry(1_100), true);
    assert.equal(watch.retries, 3);
    watch.stop();
  });

  it('starts a new row when the turn moves on', () => {
    const watch = new ReconnectWatch(100, () => assert.fail('the timer is not reached in this test'));
    assert.equal(watch.retry(1_000), false);
    watch.progress();
    assert.equal(watch.retries, 0);
    assert.equal(watch.retry(1_150), false);
    assert.equal(watch.retry(1_249), false);
    assert.equal(watch.retry(1_250), true);
    watch.stop();
  });

  it('with a limit of 0, expires at the first retry and sets no timer', () => {
    const watch = new ReconnectWatch(0, () => assert.fail('no timer with a limit of 0'));
    assert.equal(watch.retry(5), true);
  });

  it('calls back when the limit passes with no further retry', async () => {
    let expired!: () => void;
    const fired = new Promise<void>((resolve) => (expired = resolve));
    const watch = new ReconnectWatch(5, expired);
    assert.equal(watch.retry(), false);
    await fired;
  });
});
