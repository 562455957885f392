import { Command } from 'commander';
import { toolVersion } from '../version.js';
import { registerCompare } from './compare.js';
import { registerCorrelate } from './correlate.js';
import { registerLayers } from './layers.js';
import { registerMeasure } from './measure.js';
import { registerMerge } from './merge.js';
import { registerReport } from './report.js';
import { registerSanity } from './sanity.js';

// Each command imports what its action needs when it runs (plots, analysis, the known-answer
// networks), so that `measure` starts without loading them.

const program = new Command('equiprobe')
  .description('Measure how much invariance and equivariance an ONNX vision model has learned, layer by layer')
  .version(toolVersion(), '-V, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)');
registerLayers(program);
registerMeasure(program);
registerMerge(program);
registerCorrelate(program);
registerCompare(program);
registerReport(program);
registerSanity(program);
await program.parseAsync(process.argv);
