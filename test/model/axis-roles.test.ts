import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { describeRoles, reshapeAxes, traceAxisRoles, type Roles } from '../../src/model/axis-roles.js';
import { parseModel } from '../../src/model/load.js';
import { constantInts } from '../../src/model/graph-index.js';

/** Traces a built graph with shapes written by hand (what a discovery pass would report). */
function trace(g: GraphBuilder, layout: 'NCHW' | 'NHWC', shapes: Record<string, number[]>): Map<string, Roles> {
  const proto = parseModel(g.toBytes());
  return traceAxisRoles({ nodes: proto.graph!.node, input: { name: 'x', layout }, shapes: new Map(Object.entries(shapes)), constantInts: constantInts(proto) });
}

const written = (roles: Map<string, Roles>, name: string) => describeRoles(roles.get(name)!);

describe('traceAxisRoles', () => {
  it('Conv output is [N,C,H,W]; a Transpose permutes it; LayerNorm statistics over C keep no channel role', () => {
    const g = new GraphBuilder('t', { opset: 13 });
    g.input('x', ['N', 3, 8, 8]);
    g.node('Conv', ['x', g.initializer('w', new Float32Array(4 * 3), [4, 3, 1, 1])], ['conv']);
    g.node('Transpose', ['conv'], ['nhwc'], { perm: [0, 2, 3, 1] });
    g.node('ReduceMean', ['nhwc'], ['mean'], { axes: [-1] });
    g.node('Sub', ['nhwc', 'mean'], ['centred']);
    g.node('Mul', ['centred', g.initializer('gamma', new Float32Array(4), [4])], ['scaled']);
    g.output('scaled');
    const roles = trace(g, 'NCHW', { x: [2, 3, 8, 8], conv: [2, 4, 8, 8], nhwc: [2, 8, 8, 4], mean: [2, 8, 8, 1], centred: [2, 8, 8, 4], scaled: [2, 8, 8, 4] });
    expect(written(roles, 'conv')).toBe('[N,C,H,W]');
    expect(written(roles, 'nhwc')).toBe('[N,H,W,C]');
    expect(written(roles, 'mean')).toBe('[N,H,W,1]');
    expect(written(roles, 'scaled')).toBe('[N,H,W,C]');
    expect(roles.has('gamma')).toBe(false);
  });

  it('follows a window partition and its reversal exactly (Swin): the windows are no map, the reversed tensor is [N,H,W,C] again', () => {
    const g = new GraphBuilder('t', { opset: 13 });
    g.input('x', ['N', 8, 8, 4]);
    g.node('Reshape', ['x', g.ints([2, 2, 4, 2, 4, 4])], ['split']);
    g.node('Transpose', ['split'], ['grouped'], { perm: [0, 1, 3, 2, 4, 5] });
    g.node('Reshape', ['grouped', g.ints([8, 4, 4, 4])], ['windows']);
    g.node('Relu', ['windows'], ['inside']);
    g.node('Reshape', ['inside', g.ints([2, 2, 2, 4, 4, 4])], ['unsplit']);
    g.node('Transpose', ['unsplit'], ['ungrouped'], { perm: [0, 1, 3, 2, 4, 5] });
    g.node('Reshape', ['ungrouped', g.ints([2, 8, 8, 4])], ['merged']);
    g.output('merged');
    const roles = trace(g, 'NHWC', {
      x: [2, 8, 8, 4], split: [2, 2, 4, 2, 4, 4], grouped: [2, 2, 2, 4, 4, 4], windows: [8, 4, 4, 4], inside: [8, 4, 4, 4],
      unsplit: [2, 2, 2, 4, 4, 4], ungrouped: [2, 2, 4, 2, 4, 4], merged: [2, 8, 8, 4],
    });
    expect(written(roles, 'windows')).toBe('[N·H/4·W/4,H,W,C]');
    expect(written(roles, 'merged')).toBe('[N,H,W,C]');
  });

  it('an NHWC input transposed to NCHW inside reads [N,C,H,W] after the transpose', () => {
    const g = new GraphBuilder('t', { opset: 13 });
    g.input('x', ['N', 8, 8, 3]);
    g.node('Transpose', ['x'], ['nchw'], { perm: [0, 3, 1, 2] });
    g.output('nchw');
    expect(written(trace(g, 'NHWC', { x: [2, 8, 8, 3], nchw: [2, 3, 8, 8] }), 'nchw')).toBe('[N,C,H,W]');
  });

  it('flattening a map gives row-major tokens; a reshape that cuts across an axis is not traced', () => {
    const axes = [{ atoms: [{ role: 'N' as const, size: 2, stride: 1 }] }, { atoms: [{ role: 'C' as const, size: 4, stride: 1 }] },
      { atoms: [{ role: 'H' as const, size: 6, stride: 1 }] }, { atoms: [{ role: 'W' as const, size: 6, stride: 1 }] }];
    expect(describeRoles(reshapeAxes(axes, [2, 4, 6, 6], [2, 4, 36]))).toBe('[N,C,H·W]');
    expect(reshapeAxes(axes, [2, 4, 6, 6], [2, 4, 4, 9])).toEqual({ untraced: 'reshape mixes axes' });
  });
});
