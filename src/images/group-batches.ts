import { ImageDecodeError } from './decode.js';

/** A batch of decoded images, in the order of its group. */
export interface GroupBatch<T> {
  readonly files: string[];
  /** What `decode` gave, per file. */
  readonly data: T[];
}

type Outcome<T> = { readonly file: string } & ({ readonly image: T } | { readonly reason: string });

function decodeGroup<T>(files: readonly string[], decode: (file: string) => Promise<T>): Promise<Outcome<T>[]> {
  return Promise.all(
    files.map((file) =>
      decode(file).then(
        (image): Outcome<T> => ({ file, image }),
        (err: unknown): Outcome<T> => {
          if (err instanceof ImageDecodeError) return { file, reason: err.reason };
          throw err;
        },
      ),
    ),
  );
}

/**
 * Yields one batch per group of files (SPEC §8: a batch holds whole null pairs, so the groups are
 * never refilled across each other), leaving out files that fail to decode. The next group is
 * decoded while the caller works on the current one; `onSkip` is told about a group's skipped
 * files, in order, just before that group's batch is yielded (a group with no decodable file
 * yields nothing).
 *
 * @param decode - an image's data (its views); an `ImageDecodeError` skips the file, anything else throws
 */
export async function* groupBatches<T>(
  groups: readonly (readonly string[])[],
  decode: (file: string) => Promise<T>,
  onSkip: (file: string, reason: string) => void,
): AsyncGenerator<GroupBatch<T>> {
  let next = groups.length > 0 ? decodeGroup(groups[0], decode) : null;
  try {
    for (let i = 0; next; i++) {
      const outcomes = await next;
      next = i + 1 < groups.length ? decodeGroup(groups[i + 1], decode) : null;
      const batch: GroupBatch<T> = { files: [], data: [] };
      for (const outcome of outcomes) {
        if ('reason' in outcome) onSkip(outcome.file, outcome.reason);
        else {
          batch.files.push(outcome.file);
          batch.data.push(outcome.image);
        }
      }
      if (batch.files.length > 0) yield batch;
    }
  } finally {
    // A caller that stops early leaves a prefetched group behind; an error in it must not surface later.
    next?.catch(() => undefined);
  }
}
