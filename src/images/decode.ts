import { stat } from 'node:fs/promises';
import type { Metadata, SharpOptions } from 'sharp';
import type { Preprocessing } from '../types.js';
import { imageMessages as msg } from './messages.js';
import { centreCrop, coverShape } from './geometry.js';
import { normaliseHWC } from './normalise.js';

/**
 * Largest source image accepted, in pixels (2^28 ≈ 268 M, e.g. 16384 × 16384). Memory stays
 * bounded well below that size because libvips streams the file and JPEG/WebP "shrink-on-load"
 * decodes directly at a reduced scale; only a decompression bomb beyond this limit is refused.
 */
export const MAX_INPUT_PIXELS = 2 ** 28;

/** Channel conversion applied to reach the model's channel count, recorded in results. */
export type ChannelConversion =
  | 'none'
  | 'rgb→gray'
  | 'rgba→gray'
  | 'rgba→rgb'
  | 'gray→rgb'
  | 'graya→gray'
  | 'graya→rgb'
  | 'cmyk→rgb'
  | 'cmyk→gray';

/** A file that could not be decoded (empty, truncated, corrupt, unsupported): the caller skips and counts it. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  /** The file as given to `loadImage`. */
  readonly file: string;
  /** Short cause, e.g. `file is empty (0 bytes)` or libvips' `premature end of JPEG image`. */
  readonly reason: string;

  /**
   * @param file - the image path
   * @param reason - one-line cause, stored as `reason` and quoted in the message
   */
  constructor(file: string, reason: string) {
    super(msg.decodeFailed(file, reason));
    this.file = file;
    this.reason = reason;
  }
}

/** One decoded, preprocessed image and how it got there. */
export interface DecodedImage {
  /** CHW float32, `channels × S × S` with S = size + margin, normalised by (x/255 − mean)/std. */
  readonly data: Float32Array;
  readonly conversion: ChannelConversion;
  /** Source width and height after EXIF orientation, before resizing. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

type SourceKind = 'gray' | 'graya' | 'rgb' | 'rgba' | 'cmyk';

function sourceKind(meta: Metadata): SourceKind {
  // Palette PNGs report space 'srgb' and are expanded to RGB(A) by libvips, so they count as rgb.
  if (meta.space === 'cmyk') return 'cmyk';
  const gray = meta.space === 'b-w' || meta.space === 'grey16';
  if (gray) return meta.hasAlpha ? 'graya' : 'gray';
  return meta.hasAlpha ? 'rgba' : 'rgb';
}

function conversionOf(kind: SourceKind, channels: number): ChannelConversion {
  const target = channels === 1 ? 'gray' : 'rgb';
  return kind === target ? 'none' : (`${kind}→${target}` as ChannelConversion);
}

/** libvips error text is multi-line and ends with a newline; keep its first line. */
function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || 'unknown decoder error';
}

/**
 * Decodes one image file and preprocesses it like torchvision's `Resize(r) + CenterCrop(S)`,
 * with the crop enlarged by `margin` for the translate crop mode (SPEC §2):
 *
 * 1. EXIF orientation applied (`autoOrient`, the same as `.rotate()` without angle).
 * 2. Shorter side resized to `round(resize · S / size)`, longer side to
 *    `floor(that · long / short)` as torchvision computes it, where S = size + margin. Kernel:
 *    libvips `linear` (triangle filter widened by the reduction factor, i.e. antialiased
 *    bilinear), the closest match to torchvision's default antialiased bilinear on PIL images.
 * 3. Centre crop S × S at offset `round((H − S) / 2)`, rounding halves to even as Python's
 *    `round` in torchvision's `center_crop` does.
 * 4. Alpha flattened onto black; CMYK converted to sRGB through libvips' default CMYK profile;
 *    palettes expanded; 16-bit samples scaled to 8 bits; gray made RGB by repeating it, or RGB
 *    made gray by libvips' luminance (Rec. 709 weights in linear light; note this is not
 *    PIL's 'L' conversion, so pure red becomes 127, not 76).
 * 5. Each value x in 0..255 becomes (x/255 − mean[c]) / std[c], laid out CHW.
 *
 * Decoding fails (rather than yielding half an image) on truncated or corrupt data
 * (`failOn: 'error'`).
 *
 * @param file - image path
 * @param prep - resolved preprocessing (see `resolvePreprocessing`)
 * @param margin - extra pixels on the crop side, `max(S)` for translate crop mode, else 0
 * @returns the image (Float32Array of `channels·S·S`) and the channel conversion done
 * @throws ImageDecodeError when the file is missing, empty, truncated or not a decodable image
 * @example
 * const img = await decodeImage('cat.jpg', imagenetPrep, 32);
 * img.data.length; // 3 * 256 * 256
 * img.conversion;  // 'none', or e.g. 'rgba→rgb'
 */
export async function decodeImage(file: string, prep: Preprocessing, margin: number): Promise<DecodedImage> {
  const crop = prep.size + margin;
  const cropWidth = (prep.width ?? prep.size) + margin;
  if (!(Number.isInteger(margin) && margin >= 0)) throw new RangeError(msg.badMargin(margin));
  if (prep.resize < prep.size) throw new RangeError(msg.resizeBelowSize(prep.resize, prep.size));
  // Imported on first use: sharp takes about 0.15 s to load, which a run of synthetic images never needs.
  const { default: sharp } = await import('sharp');
  const options: SharpOptions = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', autoOrient: true };

  let meta: Metadata;
  try {
    meta = await sharp(file, options).metadata();
  } catch (err) {
    throw new ImageDecodeError(file, (await isEmpty(file)) ? msg.emptyFile() : reasonOf(err));
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  const shape = coverShape(width, height, cropWidth, crop, prep.resize / prep.size);
  const box = centreCrop(shape.width, shape.height, cropWidth, crop);

  let pipeline = sharp(file, options)
    .resize({ width: shape.width, height: shape.height, fit: 'fill', kernel: 'linear' })
    .extract(box)
    .flatten({ background: { r: 0, g: 0, b: 0 } });
  pipeline = prep.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');

  let pixels: Buffer;
  let channels: number;
  try {
    const out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    pixels = out.data;
    channels = out.info.channels;
  } catch (err) {
    throw new ImageDecodeError(file, reasonOf(err));
  }
  return {
    data: normaliseHWC(pixels, channels, crop, prep, cropWidth),
    conversion: conversionOf(sourceKind(meta), prep.channels),
    sourceWidth: width,
    sourceHeight: height,
  };
}

/**
 * Decodes and preprocesses one image file; `decodeImage` without the metadata.
 *
 * @param file - image path
 * @param prep - resolved preprocessing
 * @param margin - extra crop pixels (translate crop mode), else 0
 * @returns CHW float32 of `prep.channels × (size+margin) × (size+margin)`
 * @throws ImageDecodeError when the file cannot be decoded
 */
export async function loadImage(file: string, prep: Preprocessing, margin: number): Promise<Float32Array> {
  return (await decodeImage(file, prep, margin)).data;
}

async function isEmpty(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info !== null && info.size === 0;
}
