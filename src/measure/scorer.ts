import { createHash } from 'node:crypto';
import type { ModelProto } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { runImages } from '../forward/run.js';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { openCachedBytes, readCachedModel, sessionKey, writeCachedSession } from '../forward/session-cache.js';
import { readProbeBatch } from '../forward/read.js';
import { parsedSha256 } from '../onnx/serialise.js';
import { replaceConstantRows } from '../scored-models/constant-rows.js';
import type { PairScores } from '../scored-models/metric.js';
import { modelBatchDim, originalModel, permutationModel, shiftModel, tensorName, type ScoringPlan } from '../scored-models/scored-model.js';
import { mapShift, mapSteps, sourcePositions } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, Similarity } from '../types.js';

/** What one run of the original images leaves for the runs of their transformed copies. */
export interface OriginalPass {
  /** Real images in the chunk (the rest is padding for a fixed batch size). */
  readonly count: number;
  /** Output tensors by name (unit rows, raw maps, validity), fed back into the element runs. */
  readonly outputs: Record<string, ort.Tensor>;
}

/** Per image results of one run: scores of map probes, vector probes, predicted classes. */
export interface PassResult {
  /** Probe index → scores of its n×K (image, channel) pairs; absent for vectors. */
  readonly scores: Map<number, PairScores>;
  /** Probe index → false when the probe held NaN or ±Inf in this run (vectors included). */
  readonly finite: Map<number, boolean>;
  /** Probe index → count×K vector values. */
  readonly vectors: Map<number, Float32Array>;
  readonly predicted: number[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A scored model opened without the cache's help, to be optimised and stored after the run (`Scorer.writeCache`). */
interface CacheMiss {
  readonly key: string;
  readonly build: () => Promise<Uint8Array>;
}

/**
 * For a model given by its graph only (src/model/load.ts `openModel`): its SHA-256, when the
 * graph is the file's own (names the cached scored models), and the model with its weights,
 * loaded only when a scored model must be built.
 */
export interface ScorerWeights {
  readonly sha256?: string;
  readonly weights: () => Promise<ModelProto>;
}

/**
 * Runs the scored models (src/scored-models/scored-model.ts): one session for the originals and one per
 * kind of element (permutations, shifts). Images go through in chunks of `chunk`: the original
 * chunk's unit rows are held while its transformed copies run, so the chunk bounds that memory.
 */
export class Scorer {
  private constructor(
    readonly chunk: number,
    private readonly plan: ScoringPlan,
    private readonly input: InputInfo,
    private readonly outputName: string,
    private readonly original: ort.InferenceSession,
    private readonly permutation: ort.InferenceSession | null,
    private readonly shift: ort.InferenceSession | null,
    /** Cached model bytes the sessions use in place: held as long as the sessions. */
    private retained: readonly Uint8Array[],
    private readonly cache: { readonly dir: string; readonly runtime: RuntimeOptions; readonly misses: readonly CacheMiss[] } | null,
  ) {}

  /**
   * Builds and opens the scored models for these probes and elements.
   *
   * @param batch - source images per batch; a chunk is at most this, fewer when the held unit
   *   rows would pass `MAX_HELD_VALUES`, and exactly the model's batch size when that is fixed
   *   (see `chunkSize`)
   * @param cacheDir - the cache folder of optimised scored models (src/forward/session-cache.ts),
   *   or null to build and optimise them every time; not used on CUDA
   * @param lazy - when `model` is a graph without its weights: its SHA-256 and weights (else `model` has them)
   */
  static async open(model: ModelProto, input: InputInfo, probes: readonly ProbeInfo[], elements: readonly GroupElement[], similarity: Similarity, batch: number, runtime: RuntimeOptions, cacheDir: string | null = null, lazy?: ScorerWeights): Promise<Scorer> {
    const permutations = elements.some((g) => g.transform !== 'translate');
    const shifts = elements.some((g) => g.transform === 'translate');
    const scored = probes.flatMap((p, i) => (p.kind === 'vector' ? [] : [i]));
    const plan: ScoringPlan = { probes, similarity, permutations, shifts, scored, batch: modelBatchDim(model, input.name) };
    const held = scored.reduce((s, i) => s + probes[i].channels * probes[i].h * probes[i].w, 0) * (Number(permutations) + Number(shifts));
    const chunk = chunkSize(batch, held, input.fixedBatch);
    const dir = runtime.device === 'cuda' ? null : cacheDir;
    // Sessions open one at a time (onnxruntime-node opens them on the main thread); a failure releases the rest.
    const opened: ort.InferenceSession[] = [];
    const retained: Uint8Array[] = [];
    const misses: CacheMiss[] = [];
    const modelSha256 = lazy ? lazy.sha256 : parsedSha256(model);
    const weights = lazy?.weights ?? (async () => model);
    const builders = [originalModel, ...(permutations ? [permutationModel] : []), ...(shifts ? [shiftModel] : [])];
    // Each build is used at once (hashed, a session created from it), so it may reuse the model's buffer.
    const builds = builders.map((builder) => async () => builder(await weights(), plan, true));
    // Built only when needed: a cached model opens without the graph or a copy of the weights (a model
    // without a SHA-256 of its own, an upgraded copy, is named by its scored models' bytes: built twice).
    const keys: (string | null)[] = [];
    for (const [i, builder] of builders.entries()) keys.push(dir === null ? null : sessionKey(modelSha256 ?? sha256(await builds[i]()), { model: builder.name, plan }, runtime));
    // All cached models are read at once, on libuv's threads, while onnxruntime opens the ones before.
    const reads = keys.map((key) => (key === null ? Promise.resolve(null) : readCachedModel(dir!, key)));
    const open = async (i: number) => {
      const key = keys[i];
      const bytes = await reads[i];
      const cached = key === null || bytes === null ? null : await openCachedBytes(dir!, key, bytes, runtime);
      if (cached) retained.push(cached.bytes);
      else if (key !== null) misses.push({ key, build: builds[i] });
      const session = cached?.session ?? (await createSession(await builds[i](), runtime));
      opened.push(session);
      return session;
    };
    try {
      const original = await open(0);
      const permutation = permutations ? await open(1) : null;
      const shift = shifts ? await open(builders.length - 1) : null;
      return new Scorer(chunk, plan, input, model.graph!.output[0].name, original, permutation, shift, retained, dir === null ? null : { dir, runtime, misses });
    } catch (err) {
      for (const session of opened) await session.release();
      throw err;
    }
  }

  /**
   * Optimises and stores the scored models that were not in the cache, for the next run of the
   * same model, probes and elements. Call it after the run's results: storing costs about one
   * more opening per model and writes each (as large as the user's model) to the cache folder,
   * which the first run's start-up should not wait for.
   */
  async writeCache(): Promise<void> {
    for (const miss of this.cache?.misses ?? []) await writeCachedSession(this.cache!.dir, miss.key, await miss.build(), this.cache!.runtime);
  }

  /** Runs a chunk of original images (at most `chunk`). */
  async runOriginal(images: readonly Float32Array[]): Promise<{ pass: OriginalPass; result: PassResult }> {
    const outputs = await this.run(this.original, images, {});
    for (const i of this.plan.permutations ? this.plan.scored : []) {
      const probe = this.plan.probes[i];
      replaceConstantRows(outputs[tensorName.unit(i)].data as Float32Array, outputs[tensorName.marginB(i)].data as Float32Array, probe.channels, probe.h * probe.w, true);
    }
    const result = this.read(outputs, images.length, null);
    return { pass: { count: images.length, outputs }, result };
  }

  /** Runs the transformed copies T_g x of an original chunk and scores them against it. */
  async runElement(images: readonly Float32Array[], g: GroupElement, original: OriginalPass): Promise<PassResult> {
    const feeds: Record<string, ort.Tensor> = {};
    let session: ort.InferenceSession;
    if (g.transform === 'translate') {
      session = this.shift!;
      for (const i of this.plan.scored) {
        const probe = this.plan.probes[i];
        feeds[tensorName.raw(i)] = original.outputs[tensorName.raw(i)];
        feeds[tensorName.rho(i)] = original.outputs[tensorName.rho(i)];
        const size = `${probe.h}x${probe.w}`;
        // Each axis by its own stride (SPEC §2): a stride-(4,1) map moves (s/4, s) for an input shift s.
        const dy = mapShift(g.shift, probe.h, this.input.height);
        const dx = mapShift(g.shift, probe.w, this.input.width);
        feeds[tensorName.aEnd(size)] = new ort.Tensor('int64', BigInt64Array.of(BigInt(probe.h - dy), BigInt(probe.w - dx)), [2]);
        feeds[tensorName.bStart(size)] = new ort.Tensor('int64', BigInt64Array.of(BigInt(dy), BigInt(dx)), [2]);
      }
    } else {
      session = this.permutation!;
      const steps = mapSteps(g);
      for (const i of this.plan.scored) {
        const probe = this.plan.probes[i];
        const size = `${probe.h}x${probe.w}`;
        feeds[tensorName.unit(i)] = original.outputs[tensorName.unit(i)];
        // On a non-square map an odd quarter turn still gives a permutation of its h·w positions;
        // that layer is skipped for the turn anyway (skippedLayers).
        feeds[tensorName.positions(size)] ??= new ort.Tensor('int64', BigInt64Array.from(sourcePositions(probe.h, probe.w, steps), BigInt), [probe.h * probe.w]);
      }
    }
    const outputs = await this.run(session, images, feeds);
    return this.read(outputs, images.length, g.transform === 'translate' ? null : original.outputs);
  }

  /**
   * The original pass as the null sees it (SPEC §4b): image j of the result carries the unit rows,
   * raw maps, constant-row margins and ρ of image `partners[j]` of `original`, so `runElement` on the transformed
   * copies of some images scores them against their null partners' untransformed features.
   *
   * @param partners - per output image, the index of its partner in the original chunk
   */
  partnerPass(original: OriginalPass, partners: readonly number[]): OriginalPass {
    // A fixed batch size runs padded chunks: pad the gathered rows the same way.
    const rows = [...partners];
    while (this.input.fixedBatch !== null && rows.length < this.input.fixedBatch) rows.push(rows[rows.length - 1]);
    const outputs: Record<string, ort.Tensor> = { ...original.outputs };
    for (const i of this.plan.scored) {
      for (const name of [tensorName.unit(i), tensorName.raw(i), tensorName.marginB(i), tensorName.rho(i)]) {
        const t = original.outputs[name];
        if (t) outputs[name] = gatherBatch(t, rows);
      }
    }
    return { count: partners.length, outputs };
  }

  /** One run: a chunk is never more than a fixed batch size, so `runImages` makes exactly one (padded) call. */
  private async run(session: ort.InferenceSession, images: readonly Float32Array[], feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const [{ tensors }] = await runImages(session, this.input, images, session.outputNames, feeds);
    return tensors;
  }

  /** Reads a run's outputs; `margin_b` comes from the original pass for permutations, from the run itself for shifts. */
  private read(outputs: Record<string, ort.Tensor>, count: number, originalOutputs: Record<string, ort.Tensor> | null): PassResult {
    const scores = new Map<number, PairScores>();
    const finite = new Map<number, boolean>();
    const vectors = new Map<number, Float32Array>();
    this.plan.probes.forEach((probe, i) => {
      if (probe.kind === 'vector') {
        const t = outputs[probe.name];
        const values = readProbeBatch(t.data as Float32Array, t.dims, probe, count);
        vectors.set(i, values);
        finite.set(i, values.every(Number.isFinite));
        return;
      }
      const witness = outputs[tensorName.witness(i)];
      finite.set(i, Number.isFinite((witness.data as Float32Array)[0]));
      const inv = outputs[tensorName.inv(i)];
      if (!inv) return;
      const size = count * probe.channels;
      const marginB = (originalOutputs ?? outputs)[tensorName.marginB(i)];
      scores.set(i, {
        inv: (inv.data as Float32Array).subarray(0, size),
        eqv: (outputs[tensorName.eqv(i)].data as Float32Array).subarray(0, size),
        marginA: (outputs[tensorName.marginA(i)].data as Float32Array).subarray(0, size),
        marginB: (marginB.data as Float32Array).subarray(0, size),
      });
    });
    const logits = outputs[this.outputName];
    const classes = logits.dims[logits.dims.length - 1];
    const values = logits.data as Float32Array;
    const predicted: number[] = [];
    for (let n = 0; n < count; n++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (values[n * classes + c] > values[n * classes + best]) best = c;
      predicted.push(best);
    }
    return { scores, finite, vectors, predicted };
  }

  private released = false;

  /** Releases the sessions (once; later calls do nothing). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    for (const s of [this.original, this.permutation, this.shift]) await s?.release();
    this.retained = [];
  }
}

/**
 * Most float values of original unit rows held per chunk (128 MiB). Larger chunks run the model on
 * larger batches but keep more activations and K×K matrices alive at once; on ResNet-50 and
 * ViT-S/16 (2 cores) 128 MiB was fastest (ResNet-50 rot90, 32 images: 33.6 s at 64 MiB, 31.6 s at
 * 128 MiB, 35.4 s at 256 MiB).
 */
const MAX_HELD_VALUES = 1 << 25;

/**
 * Images per chunk: at most `batch` and what keeps the held unit rows within `MAX_HELD_VALUES`,
 * rounded down to an even number and at least 2, so that a chunk never splits a null pair (SPEC
 * §4b: a pair's null scores need both images in one chunk; batches start at a pair). Two images are
 * run together even where one alone reaches the limit. A model of fixed batch size runs chunks of
 * exactly that size (a fixed size of 1 cannot keep pairs together; the result says so).
 *
 * @param held - float values of original unit rows held per image
 */
export function chunkSize(batch: number, held: number, fixedBatch: number | null | undefined): number {
  if (fixedBatch) return fixedBatch;
  const limit = Math.min(batch, Math.floor(MAX_HELD_VALUES / Math.max(1, held)));
  return Math.max(2, 2 * Math.floor(limit / 2));
}

/** Rows `indices` of a tensor's batch axis (axis 0), as a new tensor. */
function gatherBatch(t: ort.Tensor, indices: readonly number[]): ort.Tensor {
  const data = t.data as Float32Array | Float64Array;
  const per = data.length / t.dims[0];
  const out = data instanceof Float64Array ? new Float64Array(per * indices.length) : new Float32Array(per * indices.length);
  indices.forEach((from, j) => out.set(data.subarray(from * per, (from + 1) * per), j * per));
  return new ort.Tensor(t.type as 'float32' | 'float64', out, [indices.length, ...t.dims.slice(1)]);
}
