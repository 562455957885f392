import { existsSync } from 'node:fs';
import path from 'node:path';
import { readMapImageSums, type MapImageSums } from '../measure/per-image-read.js';
import { RunState } from '../measure/run-state.js';
import type { RowLayout } from '../stats/per-image.js';

/**
 * The per-image map sums of a result (its `state/` folder), for paired comparisons; null when the
 * folder is missing or unreadable (compare then says why it cannot pair).
 *
 * @param resultDir - a result folder written by `measure` or `merge`
 */
export async function readResultImageSums(resultDir: string, layout: RowLayout): Promise<MapImageSums | null> {
  const dir = path.join(resultDir, 'state');
  if (!existsSync(path.join(dir, 'state.json'))) return null;
  try {
    const state = await RunState.open(dir);
    return await readMapImageSums([state.rows], layout);
  } catch {
    return null;
  }
}
