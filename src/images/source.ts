import type { Preprocessing } from '../types.js';
import { decodeImage, ImageDecodeError, type ChannelConversion, type DecodedImage } from './decode.js';
import { imageMessages as msg } from './messages.js';

export { syntheticImage, syntheticImages } from './synthetic.js';

/** A batch of decoded images, in file order. */
export interface ImageBatch {
  readonly files: string[];
  /** The standard view per file (resize, centre crop to the input size): CHW, `channels · S · S`. */
  readonly data: Float32Array[];
  /**
   * Translate's own enlarged view per file (crop mode, SPEC §2: resized for and centre-cropped to
   * S + margin), or empty when the margin is 0. Only translate reads it, so the images the other
   * transforms and accuracy see never depend on whether translate is measured.
   */
  readonly shifted: Float32Array[];
  /** Channel conversion done per file (e.g. `rgba→rgb`), for the result's record. */
  readonly conversions: ChannelConversion[];
}

type Outcome = { readonly file: string } & ({ readonly image: DecodedImage; readonly shifted: Float32Array | null } | { readonly reason: string });

/** Decodes the standard view, and the enlarged view when `margin` > 0. */
async function decodeViews(file: string, prep: Preprocessing, margin: number): Promise<{ image: DecodedImage; shifted: Float32Array | null }> {
  const [image, shifted] = await Promise.all([decodeImage(file, prep, 0), margin > 0 ? decodeImage(file, prep, margin) : null]);
  return { image, shifted: shifted?.data ?? null };
}

/** Decodes a window of files concurrently; an undecodable file becomes a reason, anything else throws. */
function decodeWindow(files: readonly string[], prep: Preprocessing, margin: number): Promise<Outcome[]> {
  return Promise.all(
    files.map((file) =>
      decodeViews(file, prep, margin).then(
        (views): Outcome => ({ file, ...views }),
        (err: unknown): Outcome => {
          if (err instanceof ImageDecodeError) return { file, reason: err.reason };
          throw err;
        },
      ),
    ),
  );
}

const emptyBatch = (): ImageBatch => ({ files: [], data: [], shifted: [], conversions: [] });

/**
 * Yields batches of decoded images in file order, skipping undecodable files. Every batch but the
 * last holds exactly `batchSize` images, so batches are the same whatever files are skipped. The
 * next window of `batchSize` files is decoded (on libuv's thread pool) while the caller runs the
 * current batch; results and `onSkip` calls stay in file order.
 *
 * @param files - image paths, already in SPEC §8 order (`listImageFiles`)
 * @param prep - resolved preprocessing
 * @param margin - extra crop pixels of translate's enlarged view (crop mode), else 0
 * @param batchSize - images per batch, a positive integer
 * @param onSkip - told each undecodable file and why, in file order
 * @returns an async generator of `{ files, data, shifted, conversions }`
 * @throws RangeError for a bad batch size; errors other than ImageDecodeError propagate
 * @example
 * for await (const batch of imageBatches(files, prep, 32, 16, (f, why) => skipped.push({ file: f, reason: why }))) {
 *   batch.data.length; // ≤ 16, each of 3 * 224 * 224 (batch.shifted: 3 * 256 * 256)
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
  let pending = emptyBatch();
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
        if (outcome.shifted) pending.shifted.push(outcome.shifted);
        pending.conversions.push(outcome.image.conversion);
        if (pending.files.length === batchSize) {
          yield pending;
          pending = emptyBatch();
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
