/**
 * `replaceInvalidRows` (the shift model's in-graph counterpart of `replaceConstantRows`): every row
 * marked invalid becomes a copy of the image's first valid row, in both layouts; in an image with no
 * valid row every row becomes row 0 (all its pairs are undefined). Expected values are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { replaceInvalidRows } from '../../src/scored-models/rows.js';

const K = 3;
const P = 2;
// Image 0: rows 0 and 2 valid; image 1: only row 1; image 2: none.
const VALID = [[true, false, true], [false, true, false], [false, false, false]];
// Channels first, image n row c = [10n + c, −(10n + c) − 0.5].
const ROWS = VALID.map((_, n) => Array.from({ length: K }, (_, c) => [10 * n + c, -(10 * n + c) - 0.5]));
const EXPECTED = [
  [[0, -0.5], [0, -0.5], [2, -2.5]],
  [[11, -11.5], [11, -11.5], [11, -11.5]],
  [[20, -20.5], [20, -20.5], [20, -20.5]],
];

async function run(channelsLast: boolean): Promise<number[][][]> {
  const g = new GraphBuilder('replace');
  const rows = g.input('rows', channelsLast ? ['N', P, K] : ['N', K, P]);
  const valid = g.input('valid', channelsLast ? ['N', 1, K] : ['N', K, 1], 'bool');
  g.node('Identity', [replaceInvalidRows(g, { name: rows, channelsLast }, valid, K)], ['out']);
  g.output('out');
  const session = await ort.InferenceSession.create(g.toBytes());
  const data = channelsLast ? ROWS.flatMap((r) => Array.from({ length: P }, (_, p) => r.map((row) => row[p])).flat()) : ROWS.flat(2);
  const out = await session.run({
    rows: new ort.Tensor('float32', Float32Array.from(data), channelsLast ? [3, P, K] : [3, K, P]),
    valid: new ort.Tensor('bool', Uint8Array.from(VALID.flat(), Number), channelsLast ? [3, 1, K] : [3, K, 1]),
  });
  await session.release();
  const values = Array.from(out.out.data as Float32Array);
  const at = (n: number, c: number, p: number) => values[channelsLast ? n * K * P + p * K + c : n * K * P + c * P + p];
  return VALID.map((_, n) => Array.from({ length: K }, (_, c) => Array.from({ length: P }, (_, p) => at(n, c, p))));
}

describe('replaceInvalidRows', () => {
  it.each([false, true])('copies the first valid row over every invalid one (channels last: %s)', async (channelsLast) => {
    expect(await run(channelsLast)).toEqual(EXPECTED);
  });
});
