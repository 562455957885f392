import { describe, expect, it } from 'vitest';
import { COMMIT_SPACING, CommitClock } from '../../src/measure/commit-clock.js';

/** A clock that moves only when told. */
function fakeTime() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('checkpoints by time (CommitClock)', () => {
  it('commits after the first batch, then once 39 × the last commit has passed since it ended', async () => {
    const time = fakeTime();
    const clock = new CommitClock(time.now);
    expect(clock.due()).toBe(true);
    await clock.time(async () => void time.advance(10)); // a commit of 10 ms
    time.advance(10 * COMMIT_SPACING - 1);
    expect(clock.due()).toBe(false);
    time.advance(1);
    expect(clock.due()).toBe(true);
  });

  it('batches of 100 ms and commits of 20 ms: a commit every 8 batches, 2.5 % of the time at most', async () => {
    const time = fakeTime();
    const clock = new CommitClock(time.now);
    let committed = 0;
    for (let batch = 0; batch < 800; batch++) {
      time.advance(100);
      if (clock.due()) {
        await clock.time(async () => void time.advance(20));
        committed += 1;
      }
    }
    // 39 × 20 ms = 780 ms between commits: the 8th batch of 100 ms after one reaches it.
    expect(committed).toBe(100);
    expect((committed * 20) / time.now()).toBeLessThanOrEqual(1 / (1 + COMMIT_SPACING));
  });

  it('commits after every batch when a commit costs less than 1/39 of a batch', async () => {
    const time = fakeTime();
    const clock = new CommitClock(time.now);
    let committed = 0;
    for (let batch = 0; batch < 50; batch++) {
      time.advance(390);
      if (clock.due()) {
        await clock.time(async () => void time.advance(10));
        committed += 1;
      }
    }
    expect(committed).toBe(50);
  });
});
