import type { GroupElement } from '../types.js';

/** One step of a map permutation: an axis reversal or the H↔W transpose. */
export type MapStep = 'flipH' | 'flipW' | 'transpose';

/**
 * T'_g for a rotation/flip element as a short sequence of steps (the scored models gather map
 * positions by `sourcePositions` of these steps). Quarter turn k = 1 (numpy.rot90) is "reverse W, then
 * transpose": out[i][j] = a[j][w−1−i]; k = 2 reverses both axes; k = 3 is "reverse H, then
 * transpose". The optional horizontal flip comes first; adjacent equal reversals cancel.
 *
 * @example
 * mapSteps({ quarterTurns: 1, flip: true, ... }); // ['transpose'] (a reflection in the diagonal)
 */
export function mapSteps(g: Pick<GroupElement, 'quarterTurns' | 'flip'>): MapStep[] {
  const k = ((g.quarterTurns % 4) + 4) % 4;
  const rotation: MapStep[][] = [[], ['flipW', 'transpose'], ['flipH', 'flipW'], ['flipH', 'transpose']];
  const steps: MapStep[] = [];
  for (const step of [...(g.flip ? (['flipW'] as MapStep[]) : []), ...rotation[k]]) {
    if (step !== 'transpose' && steps.at(-1) === step) steps.pop();
    else steps.push(step);
  }
  return steps;
}

/**
 * Where each output position of an h×w map reads from after `steps` (row-major positions):
 * T′_g as an index list, `out[q] = in[sourcePositions[q]]`, for a Gather inside onnxruntime.
 *
 * @example
 * sourcePositions(2, 2, mapSteps({ quarterTurns: 1, flip: false })); // [1, 3, 0, 2], as numpy.rot90 of [[0, 1], [2, 3]]
 */
export function sourcePositions(h: number, w: number, steps: readonly MapStep[]): Int32Array {
  let grid = Int32Array.from({ length: h * w }, (_, i) => i);
  let [rows, cols] = [h, w];
  for (const step of steps) {
    const next = new Int32Array(grid.length);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (step === 'flipH') next[i * cols + j] = grid[(rows - 1 - i) * cols + j];
        else if (step === 'flipW') next[i * cols + j] = grid[i * cols + (cols - 1 - j)];
        else next[j * rows + i] = grid[i * cols + j];
      }
    }
    if (step === 'transpose') [rows, cols] = [cols, rows];
    grid = next;
  }
  return grid;
}
