import { JACKKNIFE_BLOCKS } from '../stats/jackknife.js';

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
