import { loadModel } from './src/model/load.js';
import { detectInput } from './src/model/input.js';
import { listProbes } from './src/model/probes.js';
for (const m of process.argv.slice(2)) {
  const model = await loadModel(`/work/shared/zoo/${m}.onnx`);
  const input = detectInput(model.proto, model.path);
  const probes = await listProbes(model, input);
  console.log(m, JSON.stringify(input));
  for (const p of probes) console.log(' ', p.depth, p.name, p.op, p.kind, p.format, p.dims.join('x'), p.channels, p.h, p.w, p.prefixTokens, p.part);
}
