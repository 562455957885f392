import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measure } from '../../src/pipeline.js';

/** A part or layer whose excess over chance is null (SPEC §4b) is named in a warning, not only in result.json. */
describe('null excess over chance', () => {
  it('on a real MaxViT export, every part and layer without an excess is named in the warning', async () => {
    const model = path.join(import.meta.dirname, '..', 'fixtures', 'real', 'maxvit.onnx');
    const { report } = await measure({ model, transforms: ['rot90', 'translate'], synthetic: 8, threads: 2, cache: false });
    const named = [...report.parts.map((p) => ({ name: `${p.transform} ${p.part}`, u: p.uncertainty })), ...report.layers.map((l) => ({ name: `${l.transform} ${l.layer}`, u: l.uncertainty }))].flatMap(({ name, u }) =>
      (['inv', 'eqv'] as const).flatMap((s) => (u?.[s].excess === null ? [`${name} ${s} (${u[s].excessReason})`] : [])),
    );
    // This export's translate Late eqv is within 0.05 of its chance level.
    expect(named).toContain('translate Late eqv (chance_saturated)');
    const warning = report.warnings.find((w) => w.startsWith('No excess over chance for '));
    expect(warning).toBeDefined();
    for (const entry of named.slice(0, 4)) expect(warning).toContain(entry);
    if (named.length > 4) expect(warning).toContain(`(${named.length} in all)`);
  }, 60_000);
});
