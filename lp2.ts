import { loadModel } from './src/model/load.js';
const model = await loadModel(`/work/shared/zoo/${process.argv[2]}.onnx`);
for (const n of model.proto.graph!.node.slice(-Number(process.argv[3]))) console.log(n.opType, n.input.join(','), '->', n.output.join(','), n.attribute.map(a=>a.name+'='+(a.ints.length?a.ints.join(','):a.i)).join(' '));
