/**
 * Resize and centre-crop arithmetic of torchvision's `Resize(int)` + `CenterCrop`, kept apart from
 * decoding so it can be tested exactly and reused by code that reasons about crops.
 */

/** A crop box in pixels, as sharp's `extract` takes it. */
export interface CropBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Rounds half to even, like Python 3's `round`, which torchvision's `center_crop` uses for the
 * crop offset; `Math.round` would shift odd-margin crops by one pixel relative to PyTorch.
 *
 * @param x - value to round
 * @returns nearest integer, ties to the even one: 0.5 → 0, 1.5 → 2, 2.5 → 2
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Output size of torchvision's `Resize(shortSide)`: the shorter side becomes `shortSide`, the
 * longer `int(shortSide * long / short)` (truncated, evaluated in that order as Python does).
 *
 * @param width - source width
 * @param height - source height
 * @param shortSide - target length of the shorter side
 * @returns the resized width and height, e.g. (640, 480, 256) → { width: 341, height: 256 }
 */
export function resizedShape(width: number, height: number, shortSide: number): { width: number; height: number } {
  if (width <= height) return { width: shortSide, height: Math.floor((shortSide * height) / width) };
  return { width: Math.floor((shortSide * width) / height), height: shortSide };
}

/**
 * The resize for a crop of `cropWidth × cropHeight`: torchvision's `Resize(round(ratio · side))`
 * for a square crop (`resizedShape`); for a non-square crop the image is scaled so that it covers
 * the crop, times `ratio` (the preset's resize/size), keeping its aspect ratio.
 *
 * @param ratio - resize / size of the preprocessing (1 for no extra margin)
 * @returns the resized width and height, each at least the crop's
 * @example
 * coverShape(640, 480, 192, 48, 1); // { width: 192, height: 144 }
 */
export function coverShape(width: number, height: number, cropWidth: number, cropHeight: number, ratio: number): { width: number; height: number } {
  if (cropWidth === cropHeight) return resizedShape(width, height, Math.round(ratio * cropWidth));
  const scale = ratio * Math.max(cropWidth / width, cropHeight / height);
  return { width: Math.max(cropWidth, Math.round(width * scale)), height: Math.max(cropHeight, Math.round(height * scale)) };
}

/**
 * The centre crop box of torchvision's `CenterCrop(side)` on a `width × height` image:
 * offsets `round((H − side) / 2)` and `round((W − side) / 2)`, halves to even.
 *
 * @param width - image width, at least `side`
 * @param height - image height, at least `side`
 * @param side - crop side
 * @returns the box, e.g. (341, 256, 224) → { left: 58, top: 16, width: 224, height: 224 }
 */
export function centreCrop(width: number, height: number, side: number, cropHeight = side): CropBox {
  return { left: roundHalfEven((width - side) / 2), top: roundHalfEven((height - cropHeight) / 2), width: side, height: cropHeight };
}
