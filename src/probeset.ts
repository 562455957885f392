import type { RuntimeOptions } from './forward/session.js';
import type { DiscoveryCacheOptions } from './model/discovery-cache.js';
import { detectInput } from './model/input.js';
import { loadModel } from './model/load.js';
import { probeSet, type ProbeSelection } from './model/probes.js';
import type { InputInfo, NotProbed, ProbeInfo } from './types.js';

/**
 * Loads a model and lists its probe set, with the candidates not probed because their layout
 * could not be read (and why): the names returned are exactly those `measure`'s `layers`
 * accepts (as torchvision pairs get_graph_node_names with create_feature_extractor).
 *
 * @example
 * const { probes } = await describeProbes({ model: 'zoo/vit.onnx' });
 * probes[1]; // { name: '/blocks.0/Add_output_0', kind: 'tokens', channels: 64, h: 7, w: 7, prefixTokens: 1, ... }
 * await measure({ model: 'zoo/vit.onnx', layers: probes.slice(0, 3).map((p) => p.name) }); // exactly those three
 */
export async function describeProbes(
  options: ProbeSelection & RuntimeOptions & DiscoveryCacheOptions & { readonly model: string; readonly size?: number; readonly layout?: 'NCHW' | 'NHWC' },
): Promise<{ input: InputInfo; probes: ProbeInfo[]; notProbed: NotProbed[] }> {
  const model = await loadModel(options.model, options);
  const input = detectInput(model.proto, model.path, options.size, options.layout);
  return { input, ...(await probeSet(model, input, options, options)) };
}
