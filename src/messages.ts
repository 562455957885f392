/**
 * All user-facing error and warning text, in one place (as vega-lite's log/message.ts), so that
 * wording stays consistent and tests can match it. Every message is one line and says what to do.
 */
export const messages = {
  modelMissing: (path: string) => `Model file '${path}' does not exist. Check the path.`,
  modelUnreadable: (path: string, why: string) => `Cannot read model file '${path}' (${why}). Check its permissions.`,
  notOnnx: (path: string) => `'${path}' is not an ONNX model (it does not parse as ONNX protobuf). Export the model to .onnx first.`,
  noImageInput: (path: string) =>
    `Model '${path}' has no image-like input (a 4-D float tensor [N,C,H,W] or [N,H,W,C]). equiprobe measures vision models only.`,
  twoRequiredInputs: (names: readonly string[]) =>
    `Model has ${names.length} required inputs (${names.join(', ')}); equiprobe needs exactly one image input. Give the others defaults (initializers) in the ONNX file.`,
  dynamicSize: (name: string) => `Input '${name}' has a dynamic spatial size. Give the size with --size.`,
  externalDataMissing: (file: string) => `External weight file '${file}' is missing. Keep it next to the model file.`,
  nonSquareInput: (h: number, w: number, t: string) =>
    `Transform '${t}' needs a square input but the model takes ${h}×${w}. Use --transform translate, or --size to make it square.`,
  unknownTransform: (t: string) => `Unknown transform '${t}'. Use one of rot90, translate, hflip, vflip, d4.`,
  includeMatchesNothing: (pattern: string) =>
    `--include '${pattern}' matches no probe tensor. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  noProbes: () => `No probe tensor remains after filtering. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  unknownTensor: (name: string, flag: string) => `${flag} '${name}' is not a tensor of the model. Run \`equiprobe layers MODEL --layers all\` to list names.`,
  runtimeFailed: (why: string) => `onnxruntime could not run the model: ${why}`,
  runtimeLoadFailed: (why: string) => `onnxruntime could not load the model: ${why}. Re-export it with a supported opset (7–21) and standard operators.`,
  tooFewImages: (n: number) => `Only ${n} image(s) were usable; vector layers (Pool, Final) need at least 3. Add images or use --synthetic N.`,
  nonFinite: (layer: string) => `Layer '${layer}' produced NaN or Inf; it is flagged and left out of the part averages.`,
  nonSquareMap: (h: number, w: number) => `map is ${h}×${w}, not square`,
} as const;
