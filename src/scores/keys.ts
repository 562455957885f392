import { JACKKNIFE_BLOCKS } from '../stats/jackknife.js';

/**
 * The string keys of a run's maps, built in one place: (layer, transform) pairs here, elements in
 * scores/state.ts (`elementId`, `originId`), and the extra co-moments below.
 */

/** Key of a (layer, transform) pair in maps of skipped layers, replicates and vector estimates. */
export function layerKey(layer: string, transform: string): string {
  return `${layer}\u0000${transform}`;
}

/**
 * Ids of the extra co-moments a vector probe kept as co-moments accumulates for its intervals and
 * chance level (SPEC §4b), next to each element's own id in `MeasureState.moments`. One place
 * builds them, so the state, the batches and the end of a run agree on the strings.
 */

/** Id, in `MeasureState.moments`, of an element's null co-moments. */
export const nullMomentsId = (id: string): string => `${id}#null`;

/** Id, in `MeasureState.moments`, of an element's co-moments over jackknife block `block`. */
export const blockMomentsId = (id: string, block: number): string => `${id}#block${block}`;

/** Ids of the extra co-moments one element of a vector probe kept as co-moments needs. */
export function chanceMomentIds(id: string): string[] {
  return [nullMomentsId(id), ...Array.from({ length: JACKKNIFE_BLOCKS }, (_, b) => blockMomentsId(id, b))];
}
