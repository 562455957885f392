import type { OptionNamer } from '../option-error.js';

/**
 * User-facing text of the images stage (presets, file listing, decoding, labels). Kept apart from
 * `src/messages.ts` until the lead folds it in; same convention: one line, says what to do next.
 */
export const imageMessages = {
  // presets.ts
  presetChannels: (preset: string, given: number, input: string, takes: number, fix: string) =>
    `Preset '${preset}' gives ${given} channel${given === 1 ? '' : 's'} but the model's input '${input}' takes ${takes}. ${fix}`,
  presetChannelsFix: (o: OptionNamer, takes: number, preset: string | null) =>
    preset ? `Use ${o('preset', preset)} or ${o('channels', takes)}.` : `Use ${o('channels', takes)}.`,
  presetSize: (o: OptionNamer, preset: string, given: number, input: string, h: number, w: number) =>
    `Preset '${preset}' gives size ${given} but the model's input '${input}' takes ${h}×${w}. Use ${o('size', h)} (keeps the preset's mean and std) or ${o('preset', 'none')}.`,
  channelsContradict: (o: OptionNamer, given: number, input: string, takes: number) =>
    `${o('channels', given)} contradicts the model's input '${input}', which takes ${takes}. Drop ${o('channels')} or use ${o('channels', takes)}.`,
  unsupportedChannels: (o: OptionNamer, input: string, takes: number) =>
    `The model's input '${input}' takes ${takes} channels; image files give 1 (gray) or 3 (RGB). Use ${o('synthetic', 'N')} or re-export the model with a 1- or 3-channel input.`,
  sizeContradicts: (o: OptionNamer, given: number, input: string, h: number, w: number) =>
    `${o('size', given)} differs from the fixed size ${h}×${w} of the model's input '${input}'. Drop ${o('size')} or use ${o('size', h)}.`,
  badSize: (o: OptionNamer, value: number) => `${o('size')} must be a positive integer, got ${value}.`,
  badChannels: (o: OptionNamer, value: number) => `${o('channels')} must be 1 or 3, got ${value}.`,
  statsLength: (o: OptionNamer, which: 'mean' | 'std', count: number, channels: number) =>
    `${o(which)} has ${count} value${count === 1 ? '' : 's'} but the images have ${channels} channel${channels === 1 ? '' : 's'}. Give ${channels} value${channels === 1 ? '' : 's'}.`,
  statNotFinite: (o: OptionNamer, which: 'mean' | 'std', value: number) => `${o(which)} value ${value} is not a finite number. Give plain numbers such as 0.5.`,
  stdNotPositive: (o: OptionNamer, value: number) => `${o('std')} value ${value} must be greater than 0 (images are divided by it).`,
  presetRequired: (o: OptionNamer, dir: string) =>
    `Image files in '${dir}' need the preprocessing the model was trained with: give ${o('preset', 'imagenet')}, ${o('preset', 'fmnist')}, ${o('mean')} and ${o('std')}, or ${o('preset', 'none')} for raw pixels/255.`,
  badMargin: (value: number) => `Crop margin must be a non-negative integer, got ${value}.`,
  resizeBelowSize: (resize: number, size: number) =>
    `Preprocessing resize ${resize} is smaller than the crop size ${size}. Use a resize of at least ${size}.`,

  // files.ts
  folderMissing: (dir: string) => `Image folder '${dir}' does not exist. Check the path given to --images.`,
  notAFolder: (dir: string) => `'${dir}' is not a folder. Give --images a folder of image files.`,
  noImages: (dir: string, extensions: readonly string[]) =>
    `No image files in '${dir}' or its subfolders. Accepted extensions (any case): ${extensions.join(', ')}.`,

  // decode.ts
  decodeFailed: (file: string, reason: string) => `Cannot decode image '${file}': ${reason}. The file is skipped.`,
  emptyFile: () => 'file is empty (0 bytes)',

  // source.ts
  badCount: (value: number) => `Synthetic image count must be a non-negative integer, got ${value}.`,

  // labels.ts
  labelsMissing: (file: string) => `Label file '${file}' does not exist. Check the path given to --labels.`,
  labelsHeader: (file: string, header: string) =>
    `Label file '${file}' must start with the header 'file,label', found '${header}'. Add that header line.`,
  labelsRow: (file: string, line: number, why: string) => `Label file '${file}', line ${line}: ${why}. Fix that line.`,
  labelsColumns: (count: number) => `expected 2 fields (file,label), found ${count}`,
  labelsQuote: () => 'unterminated quoted field',
  labelNotInteger: (value: string) => `label '${value}' is not a non-negative integer class index`,
  labelConflict: (name: string, first: number, second: number) => `'${name}' is labelled both ${first} and ${second}`,
  labelsEmpty: (file: string) => `Label file '${file}' has no rows after its header. Add one 'file,label' row per image.`,
  unlabelled: (count: number, examples: readonly string[]) =>
    `${count} image${count === 1 ? ' has' : 's have'} no label (e.g. ${examples.map((e) => `'${e}'`).join(', ')}). Add rows to the label file (matched by path relative to the image folder, then by file name) or remove the images.`,
  notInClassFolder: (file: string) =>
    `Image '${file}' is not inside a class subfolder. With folder labels, put every image in <images>/<class>/.`,
  classFoldersUnlabelled: (count: number, examples: readonly string[]) =>
    `The images are in ${count} class subfolders (${examples.map((e) => `'${e}'`).join(', ')}${count > examples.length ? ', …' : ''}) but no classes file was given, so accuracy is not measured. Give one (--classes FILE): line i names the folder of the model's class index i.`,
  maxImagesWholeClasses: (taken: number, covered: number, total: number, examples: readonly string[]) =>
    `The first ${taken} image(s) in sorted path order (max images, SPEC §8) cover ${covered} of ${total} class folders (${examples.map((e) => `'${e}'`).join(', ')}${covered > examples.length ? ', …' : ''}). For a class-balanced sample, put N images of every class in a folder of their own.`,
  classesMissing: (file: string) => `Classes file '${file}' does not exist. Check the path.`,
  classesDuplicate: (file: string, name: string) => `Classes file '${file}' lists '${name}' twice. Keep one line per class.`,
  unknownClass: (folder: string, file: string) =>
    `Class folder '${folder}' is not listed in classes file '${file}'. Add it (one class name per line) or move its images.`,
} as const;
