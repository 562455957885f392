import { CommitClock } from './commit-clock.js';

/**
 * A run's commits (SPEC §8, docs/scale.md): when they come (`CommitClock`) and which of them the
 * measuring loop waits for. The first commit (the window in which a signal loses everything stays
 * one batch long), the last one and one asked for (SIGTERM/SIGINT) are awaited. The others write
 * in the background while the next batch is measured: a commit waits for its rows' writes, and
 * the kernel's time in them grows as the page cache fills with a large run's rows. Such a commit
 * is reported (`onCheckpoint`) at the first batch after it ended; at most one is in flight.
 *
 * @example
 * const checkpoints = new Checkpoints(() => runState.commit(), onCheckpoint, alreadySaved);
 * for (const batch of batches) { measure(batch); await runState.append(rows); await checkpoints.afterBatch(saved(), stopRequested()); }
 * await checkpoints.finish(saved());
 */
export class Checkpoints {
  private background: { readonly done: Promise<void>; readonly saved: number; ended: boolean } | null = null;
  private awaitedOnce = false;

  /**
   * @param commit - commits what was measured so far, taken when called (`RunState.commit`)
   * @param onCheckpoint - told the images (measured or skipped) each commit holds, once it is written
   * @param saved - what the state already held at the start (a resumed run's images)
   * @param clock - when commits are due
   */
  constructor(
    private readonly commit: () => Promise<void>,
    private readonly onCheckpoint: ((saved: number) => void | Promise<void>) | undefined,
    private saved: number,
    private readonly clock = new CommitClock(),
  ) {}

  /**
   * After a batch's rows were appended: commits at once (the first batch, or `now`: a stop then
   * reports this commit, not one in flight that holds less); else reports a background commit that
   * ended, and starts one when the clock says so and none is in flight.
   *
   * @param saved - images measured or skipped so far
   */
  async afterBatch(saved: number, now: boolean): Promise<void> {
    if (now || !this.awaitedOnce) return this.commitNow(saved);
    if (this.background?.ended) await this.report();
    if (this.background || !this.clock.due()) return;
    const done = this.clock.time(this.commit);
    const entry = { done, saved, ended: false };
    // Marks the promise handled: a failure is thrown where the loop next waits for it, not as an unhandled rejection.
    done.then(
      () => (entry.ended = true),
      () => (entry.ended = true),
    );
    this.background = entry;
    this.saved = saved;
  }

  /** After the last batch: the commit in flight, then one of whatever came after it (`saved` is what the run holds). */
  async finish(saved: number): Promise<void> {
    await this.report();
    if (saved !== this.saved) await this.commitNow(saved);
  }

  /** Waits for a commit in flight, whether or not it fails (a run stopped by an error, before its folder goes). */
  async settle(): Promise<void> {
    await this.background?.done.catch(() => undefined);
  }

  private async commitNow(saved: number): Promise<void> {
    // A commit in flight holds less than this one, which follows it: only this one is reported.
    const inFlight = this.background;
    this.background = null;
    await inFlight?.done;
    await this.clock.time(this.commit);
    this.awaitedOnce = true;
    this.saved = saved;
    await this.onCheckpoint?.(saved);
  }

  private async report(): Promise<void> {
    const entry = this.background;
    if (!entry) return;
    this.background = null;
    await entry.done;
    await this.onCheckpoint?.(entry.saved);
  }
}
