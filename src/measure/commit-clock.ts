/**
 * Checkpoint work a run may spend, as a multiple of the time between commits: a commit comes
 * once the time since the last one ended is at least `COMMIT_SPACING` times the last one's
 * duration, so commits take at most 1 / (1 + COMMIT_SPACING) = 2.5 % of a run's time whatever
 * the number of images, and what a kill loses is about 39 commits' time of work. Appending a
 * batch's per-image rows is not part of this: it happens after every batch.
 */
export const COMMIT_SPACING = 39;

/**
 * When a run commits its checkpoint (SPEC §8, docs/scale.md): after its first batch (so the
 * window in which a signal loses everything stays one batch long), then by the rule of
 * `COMMIT_SPACING`; the run also commits after its last batch and when asked to stop
 * (SIGTERM/SIGINT), which the caller decides.
 *
 * @param now - milliseconds on a monotonic clock (default `performance.now`)
 * @example
 * const clock = new CommitClock();
 * if (clock.due()) await clock.time(() => runState.commit());
 */
export class CommitClock {
  private lastEnd: number | null = null;
  private lastDuration = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether a commit is due now. */
  due(): boolean {
    return this.lastEnd === null || this.now() - this.lastEnd >= COMMIT_SPACING * this.lastDuration;
  }

  /** Runs a commit and notes when it ended and how long it took. */
  async time(commit: () => Promise<void>): Promise<void> {
    const start = this.now();
    await commit();
    this.lastEnd = this.now();
    this.lastDuration = this.lastEnd - start;
  }
}
