import type { OptionNamer } from './option-error.js';

/**
 * All user-facing error and warning text, in one place (as vega-lite's log/message.ts), so that
 * wording stays consistent and tests can match it. Every message is one line and says what to do.
 */
export const messages = {
  modelMissing: (path: string) => `Model file '${path}' does not exist. Check the path.`,
  modelNotFile: (path: string) => `'${path}' is a folder or other non-file, not a model file. Give the path of the .onnx file.`,
  modelUnreadable: (path: string, why: string) => `Cannot read model file '${path}' (${why}). Check its permissions.`,
  modelChanged: (path: string) => `Model file '${path}' changed while it was being measured. Run the measurement again.`,
  notOnnx: (path: string) => `'${path}' is not an ONNX model (it does not parse as ONNX protobuf). Export the model to .onnx first.`,
  noImageInput: (path: string) =>
    `Model '${path}' has no image-like input (a 4-D float tensor [N,C,H,W] or [N,H,W,C]). equiprobe measures vision models only.`,
  twoRequiredInputs: (names: readonly string[]) =>
    `Model has ${names.length} required inputs (${names.join(', ')}); equiprobe needs exactly one image input. Give the others defaults (initializers) in the ONNX file.`,
  inputTooLarge: (name: string, shape: readonly (number | string)[]) =>
    `Input '${name}' has shape [${shape.join(', ')}], too large for one forward pass; the model file's input shape is probably wrong. Fix it, or make H and W dynamic and give --size.`,
  badInputShape: (name: string, shape: readonly (number | string)[]) =>
    `Input '${name}' has shape [${shape.join(', ')}] with a size of 0 or less. Fix the model's input shape (use a named dim for a dynamic size).`,
  noOutput: (path: string) => `Model '${path}' declares no graph output. Re-export it with the logits as an output.`,
  dynamicSize: (o: OptionNamer, name: string) => `Input '${name}' has a dynamic spatial size. Give the size with ${o('size')}.`,
  externalDataMissing: (file: string) => `External weight file '${file}' is missing. Keep it next to the model file.`,
  nonSquareInput: (h: number, w: number, t: string) =>
    `Transform '${t}' needs a square input but the model takes ${h}×${w}; translate, hflip and vflip work on it. Drop '${t}' or re-export the model with a square input (H = W).`,
  unknownTransform: (t: string) => `Unknown transform '${t}'. Use one of rot90, translate, hflip, vflip, d4.`,
  includeMatchesNothing: (pattern: string) =>
    `--include '${pattern}' matches no probe tensor. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  unknownLayer: (name: string) => `Unknown layer '${name}': not a tensor of the model. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  layerNotProbed: (name: string, why: string) =>
    `Layer '${name}' cannot be probed (${why}). Run \`equiprobe layers MODEL --layers all\` to list the names that can.`,
  noLayersListed: () => 'layers is an empty list. Give tensor names from `describeProbes` or `equiprobe layers MODEL`, or leave it out for the default set.',
  layerNotString: (value: unknown) => `layers must hold tensor names (strings), got ${JSON.stringify(value)}.`,
  noProbes: () => `No probe tensor remains after filtering. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  unknownTensor: (name: string, flag: string) => `${flag} '${name}' is not a tensor of the model. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  cudaUnavailable: () =>
    'onnxruntime-node has no usable CUDA provider here (its CUDA libraries are not installed, or there is no GPU). Install onnxruntime-node with its CUDA binaries on a GPU machine, or drop --device cuda.',
  runtimeFailed: (why: string) => `onnxruntime could not run the model: ${why}`,
  runtimeLoadFailed: (why: string) => `onnxruntime could not load the model: ${why.replace(/\.+$/, '')}. Re-export it with standard operators and a released opset.`,
  unsupportedOpset: (domain: string, opset: number, max: number) =>
    `The model needs opset ${opset} of '${domain}', but this onnxruntime supports up to opset ${max}. Re-export the model with opset ${max} or lower.`,
  opsetTooOld: (opset: number, op?: string) =>
    op
      ? `The model uses opset ${opset} and ${op}, which means something else at opset 10 (what the metric needs), so it cannot be upgraded exactly. Re-export the model with opset 10 or newer.`
      : `The model uses opset ${opset}; equiprobe needs opset 7 or newer. Re-export the model with a newer opset.`,
  unsupportedOperator: (op: string, opset: number) =>
    `onnxruntime has no operator '${op}' at opset ${opset} (a custom or misspelled op, or one from a newer opset). Re-export the model with standard ONNX operators.`,
  noUsableImages: (o: OptionNamer, dir: string, skipped: number) =>
    `None of the ${skipped} image file(s) in '${dir}' could be decoded (each is listed in a warning above). Check the files or use ${o('synthetic', 'N')}.`,
  interrupted: (signal: string, saved: number, checkpoint: string, resumeFlag: boolean) =>
    `Interrupted by ${signal}; ${saved} image(s) are saved in '${checkpoint}'. Run the same command${resumeFlag ? '' : ' with --resume'} to continue.`,
  noCheckpoint: (file: string) => `Cannot resume: no readable checkpoint at '${file}'. Run without --resume (add --force to replace old results).`,
  checkpointOtherOptions: (file: string) =>
    `Cannot resume: '${file}' was written with other options or another model. Run with the same options, or use --force to start over.`,
  folderHoldsResult: (out: string) => `'${out}' already holds a result. Use --force to replace it, --resume to continue it, or --out for another folder.`,
  resultOtherOptions: (out: string) =>
    `'${out}' holds a finished result of other options or another model (or of an older equiprobe). Use --force to replace it, or --out for another folder.`,
  resuming: (checkpoint: string) => `resuming from '${checkpoint}'`,
  alreadyDone: (out: string) => `'${out}' already holds the finished result of these options and model; nothing was measured.`,
  interruptedTwice: (signal: string) => `Interrupted by ${signal} again; stopped at once. The last checkpoint is kept; --resume continues from it.`,
  interruptedEarly: (signal: string) => `Interrupted by ${signal} before the first checkpoint; nothing was written. Run the command again.`,
  shardsMissing: (missing: readonly number[], count: number, where: string, unfinished: readonly string[]) =>
    `${missing.length === 1 ? `Shard ${missing[0]}/${count}` : `Shards ${missing.join(', ')} of ${count}`} missing in '${where}'` +
    (unfinished.length > 0 ? ` (not finished: ${unfinished.map((d) => `'${d}'`).join(', ')})` : '') +
    `: rerun task${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, then merge again. Nothing was written.`,
  shardsUnfinished: (dirs: readonly string[]) =>
    `${dirs.map((d) => `'${d}'`).join(', ')} hold${dirs.length === 1 ? 's' : ''} no finished result (no such folder, or a task still running or stopped). Wait for it, or leave it out of the merge.`,
  shardTwice: (dir: string, other: string, index: number, count: number) =>
    `'${dir}' is shard ${index}/${count} again (also '${other}'): an image may not be in more than one shard. Merge one of them.`,
  shardOfOtherCount: (dir: string, index: number, count: number, expected: number) =>
    `'${dir}' is shard ${index}/${count}, not one of ${expected} shards. Merge the shards of one array (measure --shard i/${expected}).`,
  notAShard: (dir: string) => `'${dir}' is a whole run, not a shard (measured without --shard). Merge only the folders of one --shard i/n array.`,
  tooFewImages: (n: number) => `Only ${n} image(s) were usable; vector layers (Pool, Final) need at least 3. Add images or use --synthetic N.`,
  syntheticImages: (count: number) =>
    `No image folder was given, so ${count} seeded noise images were measured; noise shows how the architecture behaves, not what the model learned from data. Give an image folder for that.`,
  batchDependent: (nodes: readonly string[]) =>
    `The model's output depends on the batch (BatchNormalization in training mode: ${nodes.slice(0, 3).join(', ')}${nodes.length > 3 ? ', …' : ''}); its per-image scores, intervals and chance levels are not per-image. Export the model in eval mode.`,
  vectorIntervalTooFewImages: (n: number, min: number, layers: readonly string[]) =>
    `Vector layers (${layers.slice(0, 3).join(', ')}${layers.length > 3 ? ', …' : ''}) and the Pool and Final parts have no interval: the block jackknife needs at least ${min} images and ${n} were measured (interval_reason fewer_than_40_images). Measure ${min} or more images for intervals.`,
  nullExcess: (entries: readonly string[]) =>
    `No excess over chance for ${entries.slice(0, 4).join(', ')}${entries.length > 4 ? `, … (${entries.length} in all)` : ''}: see excess_reason in result.json (chance_saturated: the chance level is within 0.05 of 1, so the score cannot be told from chance; compare eqv_above, or measure more varied images).`,
  scratchRoom: (dir: string, needMiB: number, freeMiB: number) =>
    `The end of this run writes a scratch copy of up to ${needMiB} MiB of per-image vectors to '${dir}', which has ${freeMiB} MiB free; set TMPDIR to a folder with more room, or the run will stop there (its checkpoint stays: --resume finishes it).`,
  noScratchRoom: (dir: string, needMiB: number) =>
    `No room in '${dir}' for the scratch copy of a vector layer's per-image rows (about ${needMiB} MiB); set TMPDIR to a folder with more room and run again (a measurement with --resume: its checkpoint stays).`,
  nullPartnerMissing: (n: number) =>
    `${n} image(s) of the null set were left out of the chance level: their null partner was skipped or ran in another chunk (a model whose batch size is fixed at 1).`,
  notProbed: (count: number) =>
    `${count} candidate tensor${count === 1 ? '' : 's'} of the probe set ${count === 1 ? 'is' : 'are'} not read as a map, tokens or vector (window partitions, attention, statistics); result.json's not_probed and \`equiprobe layers --layers all\` give each one's reason.`,
  nonFinite: (layer: string) => `Layer '${layer}' produced NaN or Inf; it is flagged and left out of the part averages.`,
  nonSquareMap: (h: number, w: number) => `map is ${h}×${w}, not square`,
  noDefinedPair: (layer: string, transform: string, undefinedPairs: number, oneSided: number) =>
    `Layer '${layer}' has no defined pair under ${transform} (all ${undefinedPairs} pairs have a constant side, ${oneSided} of them one-sided); its scores are null. Use images on which the layer varies, or exclude it.`,
  partWithoutPairs: (part: string, transform: string) =>
    `Part ${part} has no layer with a defined pair under ${transform}; its scores are null (see the layer warnings and skip reasons).`,
  // Probe selection and transforms.
  badRegex: (flag: string, pattern: string) => `${flag} '${pattern}' is not a valid regular expression. Quote it and check its syntax.`,
  badShift: (shift: number) => `Translate shift ${shift} is not a positive whole number of pixels. Use shifts like 1..32.`,
  noShiftBelowHalf: (shifts: readonly number[], height: number) => {
    const largest = Math.ceil(height / 2) - 1;
    const hint = largest >= 1 ? `Use smaller shifts, e.g. --shifts 1..${largest}.` : `An input of height ${height} is too small to translate.`;
    return `No translate shift in [${shifts.join(', ')}] is below half the input height (${height / 2}); SPEC §2 clips shifts to s < H/2. ${hint}`;
  },
  cropMarginTooSmall: (s: number, H: number, W: number, srcH: number, srcW: number) =>
    `Shift ${s} in crop mode needs a source of at least ${H + s}×${W + s} pixels, got ${srcH}×${srcW}. Resize images to H + max(shifts), or use shift mode roll or zero.`,
  // Merging shards.
  noShardFolders: () => 'No result folders given. Pass the folders written by `equiprobe measure --shard i/n`.',
  mergeOverwritesShard: (dir: string) => `The merged result would overwrite shard '${dir}'. Merge into a new folder (--out).`,
  shardOfOtherRun: (dir: string, first: string) => `'${dir}' was measured with another model, options or probe set than '${first}'; only shards of one run can be merged.`,
  imageInTwoShards: (file: string, dir: string) => `Image '${file}' appears in more than one shard ('${dir}'); shards must be disjoint.`,
  // Command-line values (commander prints them after "error: option …").
  notPositiveInt: (value: string) => `'${value}' is not a positive whole number.`,
  notNumberList: (value: string) => `'${value}' is not a comma-separated list of numbers.`,
  notTransform: (name: string, names: readonly string[]) => `'${name}' is not a transform. Use one of ${names.join(', ')}.`,
  notShiftList: (value: string) => `'${value}' is not a shift list: use a range such as 1..8, a number, or a comma-separated list such as 1,2,4.`,
  shiftOutOfRange: (shift: number, max: number) =>
    `shift ${shift} is out of range: shifts are 1–${max} pixels, and only those below half the input height are used. Use e.g. 1..8.`,
  notShard: (value: string) => `'${value}' is not a shard: use i/n with 0 ≤ i < n, e.g. 0/4.`,
  notChoice: (value: string, choices: readonly string[]) => `'${value}' is not one of ${choices.join(', ')}.`,
} as const;
