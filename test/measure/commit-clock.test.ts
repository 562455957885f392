import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { COMMIT_SPACING, CommitClock } from '../../src/measure/commit-clock.js';
import { RunState } from '../../src/measure/run-state.js';
import { measure } from '../../src/pipeline.js';

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

describe('measure commits when asked (SIGTERM/SIGINT) and after the last batch', () => {
  it('checkpointNow commits after the batch in progress; the state then holds exactly the images measured so far', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-commit-'));
    const model = path.join(dir, 'random_cnn.onnx');
    writeFileSync(model, buildRandomCnn(1).bytes);
    const saved: number[] = [];
    const stateDir = path.join(dir, 'state');
    // 12 images in batches of 2 (one null pair each), 4 passes per image (original and 3 rotations):
    // a stop is requested during batch 4, once 4·2·4 = 32 passes are done.
    let requested = false;
    const stop = new Error('stop');
    await expect(
      measure({
        model, transforms: ['rot90'], synthetic: 12, batch: 2, threads: 1, stateDir,
        onProgress: (done) => (requested ||= done >= 32),
        checkpointNow: () => requested,
        onCheckpoint: (n) => {
          saved.push(n);
          if (requested) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    expect(saved.at(-1)).toBe(8);
    const state = await RunState.open(stateDir);
    expect(state.state.images).toBe(8);
    expect(state.rows.rows).toBe(8);
  }, 60_000);
});
