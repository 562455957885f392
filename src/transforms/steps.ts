import type { GroupElement } from '../types.js';

/** One step of a map permutation that onnxruntime runs natively: an axis reversal or the H↔W transpose. */
export type MapStep = 'flipH' | 'flipW' | 'transpose';

/**
 * T'_g for a rotation/flip element as a short sequence of steps (the scored models turn them into
 * Slice with step −1, Transpose, or one permutation-matrix product; see `permuteRows`). Quarter turn k = 1 (numpy.rot90) is "reverse W, then
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
