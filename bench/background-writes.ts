import { AppendStore } from '../src/store/append-store.js';

/**
 * Times each append's writes, which run in the background until the next append, a read or a flush
 * (AppendStore's private `commitRows`), apart from the append itself, whose wall time is then only
 * what the caller waits. Call once, before the first append.
 *
 * @returns the list the milliseconds of every append's writes are pushed to, in order
 */
export function timeBackgroundWrites(): number[] {
  const milliseconds: number[] = [];
  const prototype = AppendStore.prototype as unknown as { commitRows: (...args: unknown[]) => Promise<void> };
  const commitRows = prototype.commitRows;
  prototype.commitRows = async function (this: AppendStore, ...args: unknown[]) {
    const t0 = performance.now();
    await commitRows.apply(this, args);
    milliseconds.push(performance.now() - t0);
  };
  return milliseconds;
}
