import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { makeReport } from '../../test/report/fixtures.js';
import { layerDepthPlot, shiftPlot, comparePlot, correlationScatter } from '../../src/report/plots.js';
import { renderSpec } from '../../src/report/render.js';
it('draw', async () => {
  const rs = [makeReport({ name: 'resnet18', quality: 0.7 }), makeReport({ name: 'resnet50', quality: 0.9 }), makeReport({ name: 'vit_small_patch16_224', quality: 1.1 }), makeReport({ name: 'convnext_tiny', quality: 0.5 })];
  const acc = new Map([['resnet18', 0.69], ['resnet50', 0.76], ['vit_small_patch16_224', 0.81], ['convnext_tiny', 0.82]]);
  const specs = { depth: layerDepthPlot(rs[0], 'rot90'), shift: shiftPlot(rs[1]), shiftl: shiftPlot(rs[1], { by: 'layer' }), compare: comparePlot(rs, 'rot90'), scatter: correlationScatter(rs, acc, 'Late', 'rot90') };
  for (const [k, s] of Object.entries(specs)) { const { svg, png } = await renderSpec(s); writeFileSync(`/tmp/plots/${k}.png`, png); writeFileSync(`/tmp/plots/${k}.svg`, svg); }
}, 60000);
