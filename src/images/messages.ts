/**
 * User-facing text of the images stage (presets, file listing, decoding, labels). Kept apart from
 * `src/messages.ts` until the lead folds it in; same convention: one line, says what to do next.
 */
export const imageMessages = {
  // presets.ts
  presetChannels: (preset: string, given: number, input: string, takes: number, fix: string) =>
    `Preset '${preset}' gives ${given} channel${given === 1 ? '' : 's'} but the model's input '${input}' takes ${takes}. ${fix}`,
  presetChannelsFix: (takes: number, preset: string | null) =>
    preset ? `Use --preset ${preset} or --channels ${takes}.` : `Use --channels ${takes}.`,
  presetSize: (preset: string, given: number, input: string, h: number, w: number) =>
    `Preset '${preset}' gives size ${given} but the model's input '${input}' takes ${h}×${w}. Use --size ${h} (keeps the preset's mean and std) or --preset none.`,
  channelsContradict: (given: number, input: string, takes: number) =>
    `--channels ${given} contradicts the model's input '${input}', which takes ${takes}. Drop --channels or use --channels ${takes}.`,
  unsupportedChannels: (input: string, takes: number) =>
    `The model's input '${input}' takes ${takes} channels; image files give 1 (gray) or 3 (RGB). Use --synthetic N or re-export the model with a 1- or 3-channel input.`,
  sizeContradicts: (given: number, input: string, h: number, w: number) =>
    `--size ${given} differs from the fixed size ${h}×${w} of the model's input '${input}'. Drop --size or use --size ${h}.`,
  badSize: (value: number) => `--size must be a positive integer, got ${value}.`,
  badChannels: (value: number) => `--channels must be 1 or 3, got ${value}.`,
  statsLength: (which: 'mean' | 'std', count: number, channels: number) =>
    `--${which} has ${count} value${count === 1 ? '' : 's'} but the images have ${channels} channel${channels === 1 ? '' : 's'}. Give ${channels} value${channels === 1 ? '' : 's'}.`,
  statNotFinite: (which: 'mean' | 'std', value: number) => `--${which} value ${value} is not a finite number. Give plain numbers such as 0.5.`,
  stdNotPositive: (value: number) => `--std value ${value} must be greater than 0 (images are divided by it).`,
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
  badBatch: (value: number) => `Batch size must be a positive integer, got ${value}.`,
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
  classesMissing: (file: string) => `Classes file '${file}' does not exist. Check the path.`,
  classesDuplicate: (file: string, name: string) => `Classes file '${file}' lists '${name}' twice. Keep one line per class.`,
  unknownClass: (folder: string, file: string) =>
    `Class folder '${folder}' is not listed in classes file '${file}'. Add it (one class name per line) or move its images.`,
} as const;
