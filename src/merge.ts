import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeOptions } from './forward/session.js';
import { finalizeReport } from './measure/finalize.js';
import { FILE_COLUMN, holdsOldState, PAIR_COLUMN, RunState } from './measure/run-state.js';
import { messages } from './messages.js';
import { stateMessages } from './measure/state-messages.js';
import { elementsFor, skippedLayerReasons, type MeasureResult } from './pipeline.js';
import { readReport } from './report/read.js';
import { CrossProducts } from './scored-models/metric.js';
import { mergeStates } from './scores/state.js';
import { checkShards, expandShardFolders } from './shards.js';
import type { AppendStore, ColumnValues } from './store/append-store.js';
import type { ProbeReport } from './types.js';

/** The state folder inside a result folder (as `equiprobe measure` writes it). */
export const STATE_DIR = 'state';

/** Bytes of per-image rows copied per chunk when the merged store is written. */
const COPY_BYTES = 32 * 2 ** 20;

/** Options that must agree between shards for their union to be one run. */
function runKey(report: ProbeReport): string {
  const { threads: _t, batch: _b, shard: _s, ...config } = report.config;
  return JSON.stringify({ sha256: report.model.sha256, config, probes: report.probes.map((p) => p.name) });
}

async function openShardState(dir: string): Promise<RunState> {
  const stateDir = path.join(dir, STATE_DIR);
  if (!existsSync(path.join(stateDir, 'state.json'))) {
    const old = holdsOldState(dir);
    throw new Error(old ? stateMessages.oldState(old) : stateMessages.noShardState(dir));
  }
  return RunState.open(stateDir);
}

/** One row of a store, as single-row column values. */
type Row = Record<string, ColumnValues>;

/** Rows of a store one at a time, read in chunks. */
async function* rowsOf(store: AppendStore, columns: readonly string[], rowsPerChunk: number): AsyncGenerator<Row> {
  const widths = new Map(store.columns.map((c) => [c.name, c.width]));
  for await (const { count, values } of store.chunks(columns, rowsPerChunk)) {
    for (let i = 0; i < count; i++) {
      const row: Row = {};
      for (const name of columns) {
        const v = values[name];
        const w = widths.get(name)!;
        row[name] = Array.isArray(v) ? [v[i]] : v.subarray(i * w, (i + 1) * w);
      }
      yield row;
    }
  }
}

/**
 * Writes the shards' per-image rows into `into` in null-pair order (SPEC §4b): the order a single
 * run over all images has, so the merged store is that run's store row for row.
 */
async function copyRows(into: AppendStore, shards: readonly AppendStore[]): Promise<void> {
  const columns = into.columns.map((c) => c.name);
  const rowsPerChunk = into.rowsWithin(columns, COPY_BYTES);
  const sources = shards.map((s) => rowsOf(s, columns, rowsPerChunk));
  const heads = await Promise.all(sources.map(async (s) => (await s.next()).value as Row | undefined));
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values: Record<string, ColumnValues> = {};
    for (const name of columns) {
      const parts = batch.map((r) => r[name]);
      if (Array.isArray(parts[0])) values[name] = (parts as string[][]).flat();
      else {
        const first = parts[0] as Exclude<ColumnValues, string[]>;
        const joined = new (first.constructor as new (n: number) => Exclude<ColumnValues, string[]>)(first.length * parts.length);
        parts.forEach((p, i) => joined.set(p as Exclude<ColumnValues, string[]>, i * first.length));
        values[name] = joined;
      }
    }
    await into.append(values);
    batch = [];
  };
  for (;;) {
    let next = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i] && (next < 0 || (heads[i]![PAIR_COLUMN] as Int32Array)[0] < (heads[next]![PAIR_COLUMN] as Int32Array)[0])) next = i;
    }
    if (next < 0) break;
    batch.push(heads[next]!);
    heads[next] = (await sources[next].next()).value as Row | undefined;
    if (batch.length === rowsPerChunk) await flush();
  }
  await flush();
}

/**
 * Merges the results of disjoint image shards (`measure --shard i/n`) into exactly the result of
 * one run over all their images (SPEC §8): map-layer sums add, co-moments merge, per-image rows are
 * joined and vector layers are scored over all of them.
 *
 * @param paths - result folders, each with result.json and a `state/` folder, or one folder of them
 * @param options - runtime options; with `stateDir`, the merged state (fixed-size part and every
 *   shard's per-image rows, in null-pair order) is written there, so the merged result can be merged again;
 *   with `expect`, the number of shards of the array, a missing or unfinished shard fails with one
 *   line naming it (without it, part of an array merges)
 */
export async function mergeResults(paths: readonly string[], options: RuntimeOptions & { readonly stateDir?: string; readonly expect?: number } = {}): Promise<MeasureResult> {
  const folders = expandShardFolders(paths);
  const { dirs } = folders;
  checkShards(folders, options.expect);
  if (dirs.length === 0) throw new RangeError(messages.noShardFolders());
  const overwritten = options.stateDir ? dirs.find((d) => path.resolve(d, STATE_DIR) === path.resolve(options.stateDir!)) : undefined;
  if (overwritten !== undefined) throw new RangeError(messages.mergeOverwritesShard(overwritten));
  const reports = await Promise.all(dirs.map(async (d) => (await readReport(d)).report));
  const shards = await Promise.all(dirs.map((d) => openShardState(d)));
  const key = runKey(reports[0]);
  reports.forEach((r, i) => {
    if (runKey(r) !== key) throw new RangeError(messages.shardOfOtherRun(dirs[i], dirs[0]));
  });
  shards.forEach((shard, i) => {
    if (shard.state.images !== reports[i].images.used) throw new Error(stateMessages.stateMismatch(dirs[i]));
  });
  const seen = new Set<string>();
  for (const [i, shard] of shards.entries()) {
    for (const file of await shard.measuredFiles()) {
      if (seen.has(file)) throw new RangeError(messages.imageInTwoShards(file, dirs[i]));
      seen.add(file);
    }
  }
  const state = mergeStates(shards.map((s) => s.state));
  const first = reports[0];
  const elements = elementsFor(first.config.transforms, first.config.shifts, first.model.input.height);
  const products = new CrossProducts(options);
  try {
    let rows = shards.map((s) => s.rows);
    if (options.stateDir) {
      const columns = shards[0].rows.columns.filter((c) => c.name !== FILE_COLUMN && c.name !== PAIR_COLUMN);
      const merged = await RunState.create(options.stateDir, 'merged', state, columns);
      await copyRows(merged.rows, rows);
      await merged.commit();
      rows = [merged.rows];
    }
    const report = await finalizeReport(
      { model: first.model, input: first.model.input, config: { ...first.config, shard: null }, probes: first.probes, notProbed: first.notProbed, elements, skippedLayers: skippedLayerReasons(first.probes, elements) },
      state,
      rows,
      products.product,
    );
    return { report, state, stateDir: options.stateDir ?? null };
  } catch (err) {
    // No half-written merged state is left behind.
    if (options.stateDir) await rm(options.stateDir, { recursive: true, force: true });
    throw err;
  } finally {
    await products.release();
  }
}
