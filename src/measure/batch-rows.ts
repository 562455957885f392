import type { ColumnValues } from '../store/append-store.js';

type Numbers = Exclude<ColumnValues, string[]>;

/**
 * What one batch adds to the run's per-image store, gathered over its chunks: values per column
 * (image-major) and the predicted classes per 'original' / element id.
 */
export class BatchRows {
  readonly predictions: Record<string, number[]> = {};
  private readonly parts = new Map<string, Numbers[]>();

  /** Adds the rows of one chunk to a column. */
  push(column: string, values: Numbers): void {
    const list = this.parts.get(column);
    if (list) list.push(values);
    else this.parts.set(column, [values]);
  }

  /** Adds a chunk's predicted classes for 'original' or an element id. */
  predict(id: string, classes: readonly number[]): void {
    (this.predictions[id] ??= []).push(...classes);
  }

  /** Every column's rows, joined; `extra` columns (file names, pair indices) are added as given. */
  values(extra: Readonly<Record<string, ColumnValues>>): Record<string, ColumnValues> {
    const out: Record<string, ColumnValues> = { ...extra };
    for (const [column, list] of this.parts) {
      const length = list.reduce((s, v) => s + v.length, 0);
      const joined = new (list[0].constructor as new (n: number) => Numbers)(length);
      let at = 0;
      for (const v of list) {
        joined.set(v, at);
        at += v.length;
      }
      out[column] = joined;
    }
    return out;
  }
}
