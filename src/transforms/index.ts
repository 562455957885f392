/**
 * Transforms (SPEC §2): the group elements, their action T_g on input images and T'_g on feature
 * maps. Pure functions over typed arrays. Measurements apply T'_g to maps inside onnxruntime
 * (`sourcePositions`, src/scored-models/scored-model.ts), tested against the plain JS definitions
 * in test/reference/maps.ts (`transformMap`, `overlapPair`).
 */
export { groupElements } from './elements.js';
export { cropOriginal, transformInput } from './input.js';
export { permutePlanes } from './permute.js';
export { mapSteps, sourcePositions, type MapStep } from './steps.js';
export { cropWindow, mapShift, shiftImage, type InputTarget, type PlanarImage, type Window } from './translate.js';
