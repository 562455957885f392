/**
 * `node dist-bench/bench/leave-out.js [K=2048] [threads=2]`: the two ways of scoring one
 * leave-one-block-out set of a vector probe (SPEC §4b, src/measure/vector-chance.ts), on random
 * rows, to pick `DIRECT_LEAVE_OUT_MAX_IMAGES`:
 * - from its rows (`addRowScores`): one onnxruntime float64 product with its row maxima, cost
 *   growing with the set's N;
 * - by merges in JavaScript (before 2026-11-30): per set, 88/20 Chan merges and 38/20 copies of
 *   K×K co-moments (`leaveOneOut`'s, for 20 blocks) and one `addCoMomentScores`, the same at any N;
 * - from the 20 blocks' co-moments in one fused JavaScript pass (`addLeaveOutScores`, runs above
 *   the threshold), also the same at any N.
 * Prints milliseconds per set and the N where the two meet (linear fit of the direct times).
 */
import { addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments } from '../src/scores/co-moments.js';
import { addRowScores } from '../src/scores/row-scores.js';
import { addLeaveOutScores, leaveOutSets } from '../src/scores/leave-out-scores.js';
import { CrossProducts } from '../src/scored-models/metric.js';
import { emptySums } from '../src/scores/sums.js';
import { mulberry32 } from '../src/images/prng.js';

/** A copy of `m` by typed-array copies, as the JavaScript merges (before onnxruntime took them over) made one per merge. */
const copyCoMoments = (m: CoMoments): CoMoments => ({ ...m, meanA: m.meanA.slice(), m2A: m.m2A.slice(), meanB: m.meanB.slice(), m2B: m.m2B.slice(), cross: m.cross.slice() });

const k = Number(process.argv[2] ?? 2048);
const threads = Number(process.argv[3] ?? 2);
const rand = mulberry32(1);
const products = new CrossProducts({ threads });

async function msPer(run: () => Promise<void> | void, reps: number): Promise<number> {
  await run();
  const start = performance.now();
  for (let i = 0; i < reps; i++) await run();
  return (performance.now() - start) / reps;
}

const direct: [number, number][] = [];
for (const n of [30, 60, 120, 240]) {
  const a = Float32Array.from({ length: n * k }, () => rand());
  const b = Float32Array.from({ length: n * k }, () => rand());
  direct.push([n, await msPer(() => addRowScores(a, b, n, k, true, products.product, emptySums(), emptySums()), 5)]);
}
const block = emptyCoMoments(k, true);
block.n = 5;
block.meanA.fill(0.5);
block.m2A.fill(1);
block.m2B.fill(1);
block.cross.set(Float64Array.from({ length: k * k }, () => rand() - 0.5));
const outside = copyCoMoments(block);
const copy = await msPer(() => void copyCoMoments(outside), 5);
const cloned = await msPer(() => void structuredClone(outside), 5);
const merge = await msPer(() => mergeCoMoments(outside, block), 5);
const score = await msPer(() => addCoMomentScores(block, emptySums(), emptySums()), 5);
const byMerges = (88 * merge + 38 * copy) / 20 + score;
const blocks = Array.from({ length: 20 }, () => copyCoMoments(block));
const into = blocks.map(() => ({ inv: emptySums(), eqv: emptySums() }));
const sets = leaveOutSets(blocks);
const crosses = { k, from: 0, to: k, centreA: new Float64Array(k), centreB: new Float64Array(k), blocks: blocks.map((b) => b.cross) };
const fused = (await msPer(() => addLeaveOutScores(crosses, into, sets, new Float64Array(k * k)), 2)) / 20;
// Direct ms ≈ a + b·N through the measured points (least squares).
const mean = (f: (p: [number, number]) => number) => direct.reduce((s, p) => s + f(p), 0) / direct.length;
const [mn, mt] = [mean((p) => p[0]), mean((p) => p[1])];
const slope = mean((p) => (p[0] - mn) * (p[1] - mt)) / mean((p) => (p[0] - mn) ** 2);
const meet = (byMerges - (mt - slope * mn)) / slope;
console.log(`K = ${k}, ${threads} threads`);
for (const [n, ms] of direct) console.log(`from rows, N = ${n}: ${ms.toFixed(1)} ms per set`);
console.log(`by merges: ${byMerges.toFixed(1)} ms per set (merge ${merge.toFixed(1)} ms × 88/20, copy ${copy.toFixed(1)} ms × 38/20, scoring ${score.toFixed(1)} ms)`);
console.log(`equal at N ≈ ${Math.round(meet)} (a copy by structuredClone, as before 2026-11-30: ${cloned.toFixed(1)} ms)`);
console.log(`from block co-moments, one fused pass: ${fused.toFixed(1)} ms per set; equal to from rows at N ≈ ${Math.round((fused - (mt - slope * mn)) / slope)}`);
await products.release();
