export { syntheticImage, syntheticImages } from './synthetic.js';
