import type { Preprocessing } from '../types.js';
import { OptionError } from '../option-error.js';
import { imageMessages as msg } from './messages.js';

/** Named preprocessing presets (`--preset`). */
export type PresetName = 'imagenet' | 'fmnist' | 'none';

/** What the user asked for; every field optional. Explicit values override the preset's. */
export interface PreprocessingOptions {
  readonly preset?: PresetName;
  readonly size?: number;
  readonly channels?: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
}

/** The part of the model's input the preprocessing must agree with (an `InputInfo` fits). */
export interface ModelImageShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Input name, only for messages. */
  readonly name?: string;
}

interface PresetValues {
  readonly size: number;
  readonly resize: number;
  readonly channels: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** torchvision's ImageNet eval transform (Resize 256, CenterCrop 224) and the Fashion-MNIST statistics. */
const PRESETS: Readonly<Record<'imagenet' | 'fmnist', PresetValues>> = {
  imagenet: { size: 224, resize: 256, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  fmnist: { size: 28, resize: 28, channels: 1, mean: [0.286], std: [0.353] },
};

function nonePreset(model: ModelImageShape): PresetValues {
  const c = model.channels;
  return { size: model.height, resize: model.height, channels: c, mean: new Array<number>(c).fill(0), std: new Array<number>(c).fill(1) };
}

/** The preset whose channel count fits, to suggest in a message (none fits 2- or 4-channel inputs). */
function presetFor(channels: number): string | null {
  return channels === 1 ? 'fmnist' : channels === 3 ? 'imagenet' : null;
}

/**
 * Adapts a preset's per-channel statistics when `--channels` changed the channel count and no
 * `--mean/--std` was given: 3 → 1 averages the three values, 1 → 3 repeats the one value. This is
 * what makes the suggested fix "--preset imagenet --channels 1" usable on a gray model.
 */
function adaptStats(values: readonly number[], channels: number): readonly number[] {
  if (values.length === channels) return values;
  if (values.length === 1) return new Array<number>(channels).fill(values[0]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return new Array<number>(channels).fill(mean);
}

function checkStats(which: 'mean' | 'std', values: readonly number[], channels: number): void {
  if (values.length !== channels) throw new OptionError((o) => msg.statsLength(o, which, values.length, channels));
  for (const v of values) {
    if (!Number.isFinite(v)) throw new OptionError((o) => msg.statNotFinite(o, which, v));
    if (which === 'std' && v <= 0) throw new OptionError((o) => msg.stdNotPositive(o, v));
  }
}

function sameValues(a: PresetValues, b: PresetValues): boolean {
  const eq = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.size === b.size && a.resize === b.resize && a.channels === b.channels && eq(a.mean, b.mean) && eq(a.std, b.std);
}

/**
 * Resolves the preprocessing of image files from a preset, explicit overrides and the model's
 * input (SPEC §2 crop mode builds on it). The model's size and channel count are authoritative:
 * a preset or explicit value that contradicts them is an error rather than a silent change.
 *
 * - `imagenet`: crop 224 after resizing the shorter side to 256, RGB, ImageNet mean/std.
 * - `fmnist`: 28, no extra resize, gray, mean 0.2860, std 0.3530.
 * - `none` (also the default without preset, which only synthetic images may rely on, see
 *   {@link requireChosenPreprocessing}): the model's size and channels, values x/255.
 *
 * An explicit `size` keeps the preset's resize ratio (imagenet 256/224). The returned `preset`
 * is the named preset (or `none`) when the final values equal it, else `custom`.
 *
 * @param opts - `--preset`, `--size`, `--channels`, `--mean`, `--std`
 * @param model - the model's image input (channels, height, width, name)
 * @returns the preprocessing to record in `MeasureConfig` and to pass to `loadImage`
 * @throws OptionError (a RangeError) when the preset or an explicit value contradicts the model, mean/std
 *   lengths differ from the channel count, or a std is ≤ 0
 * @example
 * resolvePreprocessing({ preset: 'imagenet' }, { channels: 3, height: 224, width: 224 });
 * // → { preset: 'imagenet', size: 224, resize: 256, channels: 3, mean: [0.485, …], std: [0.229, …] }
 */
export function resolvePreprocessing(opts: PreprocessingOptions, model: ModelImageShape): Preprocessing {
  const input = model.name ?? 'x';
  const { size: askedSize, channels: askedChannels } = opts;
  if (opts.size !== undefined && !(Number.isInteger(opts.size) && opts.size > 0)) throw new OptionError((o) => msg.badSize(o, askedSize!));
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) throw new OptionError((o) => msg.badChannels(o, askedChannels!));

  const named = opts.preset ?? 'none';
  const base = named === 'none' ? nonePreset(model) : PRESETS[named];

  // Channels: the explicit value wins over the preset, but neither may contradict the model.
  if (opts.channels !== undefined) {
    if (opts.channels !== model.channels) throw new OptionError((o) => msg.channelsContradict(o, askedChannels!, input, model.channels));
  } else if (base.channels !== model.channels) {
    if (named === 'none') throw new OptionError((o) => msg.unsupportedChannels(o, input, model.channels));
    throw new OptionError((o) => msg.presetChannels(named, base.channels, input, model.channels, msg.presetChannelsFix(o, model.channels, presetFor(model.channels))));
  }
  if (model.channels !== 1 && model.channels !== 3) throw new OptionError((o) => msg.unsupportedChannels(o, input, model.channels));
  const channels = model.channels;

  if (opts.size !== undefined) {
    if (opts.size !== model.height) throw new OptionError((o) => msg.sizeContradicts(o, askedSize!, input, model.height, model.width));
  } else if (base.size !== model.height) {
    throw new OptionError((o) => msg.presetSize(o, named, base.size, input, model.height, model.width));
  }
  const size = model.height;
  // Keep the preset's resize/crop ratio when the size changes (e.g. 256/224 → 293 for a 256 model).
  const resize = size === base.size ? base.resize : Math.round((size * base.resize) / base.size);

  const mean = opts.mean ?? adaptStats(base.mean, channels);
  const std = opts.std ?? adaptStats(base.std, channels);
  checkStats('mean', mean, channels);
  checkStats('std', std, channels);

  const result: PresetValues = { size, resize, channels, mean: [...mean], std: [...std] };
  return { preset: sameValues(result, base) ? named : 'custom', ...result, ...(model.width !== model.height ? { width: model.width } : {}) };
}

/**
 * Image files must come with a chosen preprocessing: a model scores real images well only with
 * the normalisation it was trained with, and a silent `none` gives plausible but wrong numbers
 * (a Fashion-MNIST ResNet drops from 0.925 to 0.235 top-1). A preset, or a mean or std, counts as
 * chosen; `preset: 'none'` is allowed when raw pixels/255 is what the model expects.
 *
 * @param opts - the preprocessing options
 * @param dir - the image folder, for the message
 * @throws OptionError naming the presets when nothing was chosen
 * @example
 * requireChosenPreprocessing({ preset: 'fmnist' }, 'examples/zoo/images'); // passes
 * requireChosenPreprocessing({}, 'val'); // throws "Image files in 'val' need the preprocessing …"
 */
export function requireChosenPreprocessing(opts: PreprocessingOptions, dir: string): void {
  if (opts.preset === undefined && opts.mean === undefined && opts.std === undefined) throw new OptionError((o) => msg.presetRequired(o, dir));
}
