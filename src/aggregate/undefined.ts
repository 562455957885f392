import { messages } from '../messages.js';
import type { LayerScore, PartScore } from '../types.js';

/**
 * Warnings for every layer and part left with no defined pair (SPEC §3): their scores are null,
 * and each is named. Skipped layers (their reason is in the result), layers flagged for NaN/Inf
 * (warned when flagged) and vector layers with too few images to score (warned by the caller)
 * are not warned about again as layers; a part is warned about whatever left it empty.
 *
 * @param flagged - names of layers flagged for NaN/Inf
 * @example
 * undefinedWarnings(report.layers, report.parts, new Set());
 * // ["Layer 'conv3' has no defined pair under rot90 (all 4096 pairs have a constant side); its scores are null. …"]
 */
export function undefinedWarnings(layers: readonly LayerScore[], parts: readonly PartScore[], flagged: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const l of layers) {
    if (l.skipped || flagged.has(l.layer) || l.inv.defined > 0 || l.inv.undefinedPairs === 0) continue;
    out.push(messages.noDefinedPair(l.layer, l.transform, l.inv.undefinedPairs, l.inv.oneSided));
  }
  for (const p of parts) if (p.inv === null) out.push(messages.partWithoutPairs(p.part, p.transform));
  return out;
}
