import { readFile } from 'node:fs/promises';
import type { MeasureState } from '../scores/state.js';

/**
 * The per-image part of a result's state.json (SHA-256 per image, per-image rows, flagged
 * layers), for paired comparisons; null when the file is missing, unreadable or from before
 * per-image rows were kept (compare then says why it cannot pair).
 */
export async function readPerImageState(file: string): Promise<Pick<MeasureState, 'sha256' | 'perImage' | 'nonFinite'> | null> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as Partial<MeasureState>;
    if (!Array.isArray(state.sha256) || !Array.isArray(state.perImage)) return null;
    return { sha256: state.sha256, perImage: state.perImage, nonFinite: state.nonFinite ?? [] };
  } catch {
    return null;
  }
}
