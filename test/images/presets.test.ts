import { describe, expect, it } from 'vitest';
import { requireChosenPreprocessing, resolvePreprocessing } from '../../src/images/presets.js';
import { OptionError } from '../../src/option-error.js';

const rgb224 = { name: 'x', channels: 3, height: 224, width: 224 };
const gray28 = { name: 'x', channels: 1, height: 28, width: 28 };

describe('resolvePreprocessing', () => {
  it('imagenet preset: 224 crop of a 256 resize, RGB, ImageNet statistics', () => {
    expect(resolvePreprocessing({ preset: 'imagenet' }, rgb224)).toEqual({
      preset: 'imagenet',
      size: 224,
      resize: 256,
      channels: 3,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
  });

  it('fmnist preset: 28, gray, Fashion-MNIST statistics', () => {
    expect(resolvePreprocessing({ preset: 'fmnist' }, gray28)).toEqual({ preset: 'fmnist', size: 28, resize: 28, channels: 1, mean: [0.286], std: [0.353] });
  });

  it('no preset and no values (synthetic images only): the model size and channels, mean 0, std 1', () => {
    const p = resolvePreprocessing({}, { channels: 3, height: 32, width: 32 });
    expect(p).toEqual({ preset: 'none', size: 32, resize: 32, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(resolvePreprocessing({ preset: 'none' }, gray28).preset).toBe('none');
  });

  it('explicit mean/std override the preset and make it custom', () => {
    const p = resolvePreprocessing({ mean: [0.5], std: [0.5] }, gray28);
    expect(p).toMatchObject({ preset: 'custom', size: 28, resize: 28, mean: [0.5], std: [0.5] });
    const q = resolvePreprocessing({ preset: 'imagenet', mean: [0.5, 0.5, 0.5] }, rgb224);
    expect(q).toMatchObject({ preset: 'custom', resize: 256, mean: [0.5, 0.5, 0.5], std: [0.229, 0.224, 0.225] });
  });

  it('explicit values equal to the preset keep its name', () => {
    expect(resolvePreprocessing({ preset: 'imagenet', size: 224, channels: 3 }, rgb224).preset).toBe('imagenet');
    expect(resolvePreprocessing({ size: 28 }, gray28).preset).toBe('none');
  });

  it('an explicit size keeps the preset resize ratio (imagenet on a 256 model → resize 293)', () => {
    const p = resolvePreprocessing({ preset: 'imagenet', size: 256 }, { channels: 3, height: 256, width: 256 });
    expect(p).toMatchObject({ preset: 'custom', size: 256, resize: 293 });
  });

  it('--channels 1 with imagenet on a gray model averages the preset statistics', () => {
    const p = resolvePreprocessing({ preset: 'imagenet', channels: 1, size: 28 }, gray28);
    expect(p.channels).toBe(1);
    expect(p.mean[0]).toBeCloseTo((0.485 + 0.456 + 0.406) / 3, 12);
    expect(p.std[0]).toBeCloseTo((0.229 + 0.224 + 0.225) / 3, 12);
    expect(p.preset).toBe('custom');
  });

  it('accepts an InputInfo-like object without a name', () => {
    expect(resolvePreprocessing({}, { channels: 1, height: 10, width: 10 }).size).toBe(10);
  });

  it('crops a non-square input as height × width (SPEC §1: H and W may differ)', () => {
    expect(resolvePreprocessing({}, { channels: 3, height: 48, width: 192 })).toMatchObject({ size: 48, width: 192, resize: 48 });
    expect(resolvePreprocessing({}, gray28)).not.toHaveProperty('width');
  });

  describe('EXPECTED FAILURE', () => {
    it('a preset whose channel count contradicts the model', () => {
      expect(() => resolvePreprocessing({ preset: 'imagenet' }, gray28)).toThrow(RangeError);
      expect(() => resolvePreprocessing({ preset: 'imagenet' }, { ...gray28, height: 224, width: 224 })).toThrow(
        "Preset 'imagenet' gives 3 channels but the model's input 'x' takes 1. Use `preset: 'fmnist'` or `channels: 1`.",
      );
      expect(() => resolvePreprocessing({ preset: 'fmnist' }, { ...rgb224, height: 28, width: 28 })).toThrow(
        "Preset 'fmnist' gives 1 channel but the model's input 'x' takes 3. Use `preset: 'imagenet'` or `channels: 3`.",
      );
    });

    it('a preset size that differs from the model size', () => {
      expect(() => resolvePreprocessing({ preset: 'imagenet' }, { ...rgb224, height: 32, width: 32 })).toThrow(/gives size 224 .* takes 32×32\. Use `size: 32`/);
    });

    it('an explicit size that differs from the fixed model size', () => {
      expect(() => resolvePreprocessing({ size: 64 }, gray28)).toThrow(/`size: 64` differs from the fixed size 28×28 .*use `size: 28`/);
    });

    it('explicit channels contradicting the model', () => {
      expect(() => resolvePreprocessing({ channels: 3 }, gray28)).toThrow(/`channels: 3` contradicts the model's input 'x', which takes 1/);
    });

    it('mean/std lengths that do not match the channels', () => {
      expect(() => resolvePreprocessing({ mean: [0.5, 0.5] }, rgb224)).toThrow(/`mean` has 2 values but the images have 3 channels/);
      expect(() => resolvePreprocessing({ std: [0.5, 0.5] }, gray28)).toThrow(/`std` has 2 values but the images have 1 channel\b/);
    });

    it('a std that is zero or negative, and non-finite values', () => {
      expect(() => resolvePreprocessing({ std: [0] }, gray28)).toThrow(/`std` value 0 must be greater than 0/);
      expect(() => resolvePreprocessing({ std: [-1] }, gray28)).toThrow(RangeError);
      expect(() => resolvePreprocessing({ mean: [Number.NaN] }, gray28)).toThrow(/not a finite number/);
    });

    it('image files with no preset, mean or std: an OptionError naming the option fields', () => {
      expect(() => requireChosenPreprocessing({}, 'val')).toThrow(OptionError);
      expect(() => requireChosenPreprocessing({ size: 28, channels: 1 }, 'val')).toThrow(
        "Image files in 'val' need the preprocessing the model was trained with: give `preset: 'imagenet'`, `preset: 'fmnist'`, `mean` and `std`, or `preset: 'none'` for raw pixels/255.",
      );
      for (const chosen of [{ preset: 'none' as const }, { preset: 'fmnist' as const }, { mean: [0.5] }, { std: [0.5] }]) expect(() => requireChosenPreprocessing(chosen, 'val')).not.toThrow();
    });

    it('the same errors name command-line flags for the CLI', () => {
      const caught = (() => {
        try {
          resolvePreprocessing({ preset: 'imagenet' }, { ...gray28, height: 224, width: 224 });
        } catch (err) {
          return err as OptionError;
        }
      })();
      expect(caught?.forCli()).toBe("Preset 'imagenet' gives 3 channels but the model's input 'x' takes 1. Use --preset fmnist or --channels 1.");
    });

    it('bad sizes, channel counts and model shapes', () => {
      expect(() => resolvePreprocessing({ size: 0 }, gray28)).toThrow(/positive integer/);
      expect(() => resolvePreprocessing({ size: 2.5 }, gray28)).toThrow(/positive integer/);
      expect(() => resolvePreprocessing({ channels: 2 }, gray28)).toThrow(/must be 1 or 3/);
      expect(() => resolvePreprocessing({}, { channels: 4, height: 8, width: 8 })).toThrow(/takes 4 channels; image files give 1 \(gray\) or 3/);
    });
  });
});
