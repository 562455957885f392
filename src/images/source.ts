import type { Preprocessing } from '../types.js';
import { decodeImage, ImageDecodeError, type ChannelConversion, type DecodedImage } from './decode.js';
import { imageMessages as msg } from './messages.js';

export { syntheticImage, syntheticImages } from './synthetic.js';

/** A batch of decoded images, in file order. */
export interface ImageBatch {
  readonly files: string[];
  /** One CHW Float32Array per file, `channels · S · S`. */
  readonly data: Float32Array[];
  /** Channel conversion done per file (e.g. `rgba→rgb`), for the result's record. */
  readonly conversions: ChannelConversion[];
}

type Outcome = { readonly file: string } & ({ readonly image: DecodedImage } | { readonly reason: string });

/** Decodes a window of files concurrently; an undecodable file becomes a reason, anything else throws. */
function decodeWindow(files: readonly string[], prep: Preprocessing, margin: number): Promise<Outcome[]> {
  return Promise.all(
    files.map((file) =>
      decodeImage(file, prep, margin).then(
        (image): Outcome => ({ file, image }),
        (err: unknown): Outcome => {
          if (err instanceof ImageDecodeError) return { file, reason: err.reason };
          throw err;
        },
      ),
    ),
  );
}

/**
 * Yields batches of decoded images in file order, skipping undecodable files. Every batch but the
 * last holds exactly `batchSize` images, so batches are the same whatever files are skipped. The
 * next window of `batchSize` files is decoded (on libuv's thread pool) while the caller runs the
 * current batch; results and `onSkip` calls stay in file order.
 *
 * @param files - image paths, already in SPEC §8 order (`listImageFiles`)
 * @param prep - resolved preprocessing
 * @param margin - extra crop pixels (translate crop mode), else 0
 * @param batchSize - images per batch, a positive integer
 * @param onSkip - told each undecodable file and why, in file order
 * @returns an async generator of `{ files, data, conversions }`
 * @throws RangeError for a bad batch size; errors other than ImageDecodeError propagate
 * @example
 * for await (const batch of imageBatches(files, prep, 32, 16, (f, why) => skipped.push({ file: f, reason: why }))) {
 *   batch.data.length; // ≤ 16, each of 3 * 256 * 256
 * }
 */
export async function* imageBatches(
  files: readonly string[],
  prep: Preprocessing,
  margin: number,
  batchSize: number,
  onSkip: (file: string, reason: string) => void,
): AsyncGenerator<ImageBatch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(msg.badBatch(batchSize));
  let pending: ImageBatch = { files: [], data: [], conversions: [] };
  let next = 0;
  let window = files.length > 0 ? decodeWindow(files.slice(0, batchSize), prep, margin) : null;
  try {
    while (window) {
      const outcomes = await window;
      next += batchSize;
      // Start the following window before handing out batches, so decoding overlaps inference.
      window = next < files.length ? decodeWindow(files.slice(next, next + batchSize), prep, margin) : null;
      for (const outcome of outcomes) {
        if ('reason' in outcome) {
          onSkip(outcome.file, outcome.reason);
          continue;
        }
        pending.files.push(outcome.file);
        pending.data.push(outcome.image.data);
        pending.conversions.push(outcome.image.conversion);
        if (pending.files.length === batchSize) {
          yield pending;
          pending = { files: [], data: [], conversions: [] };
        }
      }
    }
  } finally {
    // A caller that stops early leaves a prefetched window behind; mark it handled so an error in
    // it cannot surface later as an unhandled rejection.
    window?.catch(() => undefined);
  }
  if (pending.files.length > 0) yield pending;
}
