import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { messages } from './messages.js';
import type { MeasureConfig } from './types.js';

type Shard = NonNullable<MeasureConfig['shard']>;

const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const isResultOrRun = (p: string) => ['result.json', 'checkpoint.json', 'checkpoint'].some((n) => existsSync(path.join(p, n)));

/** The folders to merge, and where they are (for messages). */
export interface ShardFolders {
  readonly dirs: string[];
  /** The folder of shards given, or the folder the given shard folders are in. */
  readonly where: string;
}

/**
 * The folders to merge: each argument is a shard's result folder, or a folder of them (one that
 * holds neither result.json nor a checkpoint; its subfolders are taken in numeric order).
 */
export function expandShardFolders(paths: readonly string[]): ShardFolders {
  const folderOfShards = paths.length === 1 && isDir(paths[0]) && !isResultOrRun(paths[0]);
  if (folderOfShards) {
    const dirs = readdirSync(paths[0])
      .filter((n) => !n.startsWith('.'))
      .map((n) => path.join(paths[0], n))
      .filter(isDir)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return { dirs, where: paths[0] };
  }
  const parents = [...new Set(paths.map((d) => path.dirname(d)))];
  return { dirs: [...paths], where: parents.length === 1 ? parents[0] : parents.join("', '") };
}

/** The shard a finished result folder holds: undefined for a result from before shards were recorded. */
function shardOf(dir: string): Shard | null | undefined {
  try {
    const report = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as { config?: { shard?: Shard | null } };
    return report.config?.shard;
  } catch {
    return undefined;
  }
}

/**
 * Checks that `dirs` hold every shard of one `--shard i/n` array before anything is merged, so a
 * merge job that runs while a task is still pending or was pre-empted fails with one line that
 * names the task to rerun, instead of writing the result of part of the images. Without
 * `expected`, only shards given twice and unfinished folders are refused: part of an array may
 * be merged on purpose (halves that are merged again later).
 *
 * @param folders - shard result folders (from `expandShardFolders`)
 * @param expected - the array's shard count n (`merge --expect n`)
 * @throws when a shard is missing or unfinished, appears twice, or is of another count
 */
export function checkShards({ dirs, where }: ShardFolders, expected?: number): void {
  const finished = dirs.filter((d) => existsSync(path.join(d, 'result.json')));
  const unfinished = dirs.filter((d) => !finished.includes(d));
  const byIndex = new Map<string, string>();
  for (const dir of finished) {
    const shard = shardOf(dir);
    if (shard === undefined) continue; // unreadable, or from before shards were recorded: the merge itself checks
    if (shard === null) {
      if (expected !== undefined) throw new RangeError(messages.notAShard(dir));
      continue;
    }
    if (expected !== undefined && shard.count !== expected) throw new RangeError(messages.shardOfOtherCount(dir, shard.index, shard.count, expected));
    const key = `${shard.index}/${shard.count}`;
    const other = byIndex.get(key);
    if (other !== undefined) throw new RangeError(messages.shardTwice(dir, other, shard.index, shard.count));
    byIndex.set(key, dir);
  }
  const missing = expected === undefined ? [] : Array.from({ length: expected }, (_, i) => i).filter((i) => !byIndex.has(`${i}/${expected}`));
  if (missing.length > 0) throw new RangeError(messages.shardsMissing(missing, expected!, where, unfinished));
  if (unfinished.length > 0) throw new RangeError(messages.shardsUnfinished(unfinished));
}
