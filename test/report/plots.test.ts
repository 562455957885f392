import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparePlot, correlationScatter, layerDepthPlot, placeLabels, shiftPlot } from '../../src/report/plots.js';
import { scoreDomain, uniqueModelLabels } from '../../src/report/plots-theme.js';
import { rendererVersions, renderSpec, renderSvg, shippedFontPath } from '../../src/report/render.js';
import type { ProbeReport } from '../../src/types.js';
import { makeReport } from './fixtures.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const models = [
  makeReport({ name: 'resnet18', quality: 0.7 }),
  makeReport({ name: 'resnet50', quality: 0.9 }),
  makeReport({ name: 'vit_small', quality: 1.1 }),
];
const accuracy = new Map([['resnet18', 0.69], ['resnet50', 0.76], ['vit_small', 0.81]]);

/** Renders and checks what every plot must have: PNG bytes, text kept as <text>, the given strings. */
async function expectRendered(spec: Parameters<typeof renderSpec>[0], texts: readonly string[]): Promise<string> {
  const { svg, png } = await renderSpec(spec);
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(png.length).toBeGreaterThan(5000);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('<text');
  expect(svg).toContain('font-family="DejaVu Sans"');
  for (const t of texts) expect(svg).toContain(t);
  // Every font size in the figure is at least 11 px.
  const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
  expect(sizes.length).toBeGreaterThan(0);
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
  return svg;
}

describe('layerDepthPlot', () => {
  it('renders scores by depth with part bands, axis titles and the model name', async () => {
    const svg = await expectRendered(layerDepthPlot(models[0], 'rot90'), [
      'Layer depth and op (parts shaded; names in layers.csv)',
      'Score (mean Pearson r)',
      'resnet18 — rot90',
      'invariance',
      'equivariance',
      'Early',
      'Final',
    ]);
    expect(svg).toContain('stroke-dasharray="6,4"'); // invariance is dashed
  });

  it('uses a y domain that holds negative scores', () => {
    const spec = JSON.stringify(layerDepthPlot(models[0], 'rot90'));
    expect(spec).toContain('"domain":[-0.1,1]'); // first layer scores −0.05
  });

  it('leaves out skipped layers and names cosine similarity on the y axis', async () => {
    const r = makeReport({ name: 'm', transforms: ['rot90'], similarity: 'cosine' });
    const skipped: ProbeReport = { ...r, layers: r.layers.map((l, i) => (i === 0 ? { ...l, skipped: 'non-square map' } : l)) };
    const spec = layerDepthPlot(skipped, 'rot90') as { layer: { data: { values: { layer: string }[] } }[] };
    expect(spec.layer[1].data.values.some((v) => v.layer === r.layers[0].layer)).toBe(false);
    await expectRendered(spec as never, ['Score (mean cosine similarity)']);
  });

  it('EXPECTED FAILURE - a transform the result does not have', () => {
    const r = makeReport({ name: 'm', transforms: ['rot90'] });
    expect(() => layerDepthPlot(r, 'hflip')).toThrow(RangeError);
    expect(() => layerDepthPlot(r, 'hflip')).toThrow("Result for model 'm' has no hflip scores. Run equiprobe measure with --transforms hflip.");
  });
});

describe('shiftPlot', () => {
  it('renders score vs shift per part by default', async () => {
    const spec = shiftPlot(models[1]);
    await expectRendered(spec, ['Diagonal shift s (input pixels)', 'resnet50 — translate', 'Part', 'Middle', 'invariance']);
    // Per-part means: Early inv at s = 1 is the mean of its 3 layers × (1 − 1/40).
    const rows = (spec as { data: { values: { part: string; shift: number; score: string; value: number; layers: number }[] } }).data.values;
    const early = rows.find((r) => r.part === 'Early' && r.shift === 1 && r.score === 'invariance');
    const expected = ([0, 1, 2].map((d) => 0.9 * (d / 11) * 0.8 - 0.05).reduce((a, b) => a + b) / 3) * (1 - 1 / 40);
    expect(early?.value).toBeCloseTo(expected, 12);
    expect(early?.layers).toBe(3);
  });

  it('renders one line per layer on request', async () => {
    await expectRendered(shiftPlot(models[1], { by: 'layer' }), ['Layer depth', 'one line per layer']);
  });

  it('EXPECTED FAILURE - a result without translate', () => {
    expect(() => shiftPlot(makeReport({ name: 'm', transforms: ['rot90'] }))).toThrow(/no translate scores/);
  });
});

describe('comparePlot', () => {
  it('renders parts in order with one colour per model and a legend', async () => {
    const svg = await expectRendered(comparePlot(models, 'rot90'), [
      'Network part',
      'Score (mean Pearson r)',
      'Model',
      'resnet18',
      'resnet50',
      'vit_small',
      'Part scores — rot90',
    ]);
    const order = ['Early', 'Middle', 'Late', 'Pool', 'Final'].map((p) => svg.indexOf(`>${p}</text>`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // axis labels in part order
  });

  it('keeps two results of the same model apart', () => {
    expect(uniqueModelLabels([models[0], models[0], models[1]])).toEqual(['resnet18', 'resnet18 (2)', 'resnet50']);
  });

  it('EXPECTED FAILURE - no result has the transform', () => {
    expect(() => comparePlot(models, 'd4')).toThrow(RangeError);
  });
});

describe('correlationScatter', () => {
  it('renders inv and eqv panels with ρ, p and model labels', async () => {
    await expectRendered(correlationScatter(models, accuracy, 'Late', 'rot90'), [
      'Accuracy',
      'Invariance score (Late)',
      'Equivariance score (Late)',
      'ρ = 1.00, p = 0.33, n = 3', // perfect rank agreement, exact p = 2/3!
      'resnet18',
      'vit_small',
      'Late part, rot90: score vs accuracy',
    ]);
  });

  it('EXPECTED FAILURE - a model without accuracy', () => {
    expect(() => correlationScatter(models, new Map([['resnet18', 0.7]]), 'Late', 'rot90')).toThrow(
      'No accuracy for models: resnet50, vit_small.',
    );
  });
});

describe('renderSpec', () => {
  it('escapes model names in SVG text and still renders the PNG', async () => {
    const r = makeReport({ name: 'a&b <net>', transforms: ['rot90'] });
    const { svg, png } = await renderSpec(layerDepthPlot(r, 'rot90'));
    expect(svg).toContain('a&amp;b &lt;net&gt;');
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('renders PNG at 2× the SVG size by default, and at a chosen scale', async () => {
    const spec = comparePlot(models, 'translate');
    const svg = await renderSvg(spec);
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const pngWidth = (png: Uint8Array): number => new DataView(png.buffer, png.byteOffset).getUint32(16); // IHDR width
    expect(pngWidth((await renderSpec(spec)).png)).toBe(2 * width);
    expect(pngWidth((await renderSpec(spec, { scale: 1 })).png)).toBe(width);
  });

  it('ships its own font', async () => {
    expect(shippedFontPath()).toMatch(/assets[/\\]fonts[/\\]DejaVuSans\.ttf$/);
    expect(existsSync(shippedFontPath())).toBe(true);
    expect((await rendererVersions()).vegaLite).toMatch(/^\d+\.\d+\.\d+/);
    expect((await rendererVersions()).vega).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('scoreDomain', () => {
  it('always spans [0, 1] and widens to hold the data', () => {
    expect(scoreDomain([0.2, 0.5])).toEqual([0, 1]);
    expect(scoreDomain([-0.05, 0.5])).toEqual([-0.1, 1]);
    expect(scoreDomain([-0.3, Number.NaN])).toEqual([-0.3, 1]);
    expect(scoreDomain([])).toEqual([0, 1]);
  });
});

describe('placeLabels', () => {
  it('keeps the labels of coinciding points apart and off other points', () => {
    const pts = ['resnet_w32', 'resnet_w64', 'cnn7'].map((model) => ({ score: 0.5, accuracy: 0.9, model, side: 'right' as const }));
    const placed = placeLabels(pts, [0, 1], [0.8, 1], 230);
    const px = (y: number) => ((1 - y) / 0.2) * 230;
    const boxes = placed.map((p, i) => {
      const w = 6.2 * pts[i].model.length;
      const x0 = p.side === 'right' ? 115 + 7 : 115 - 7 - w;
      return { x0, x1: x0 + w, y0: px(p.labelY) - 6, y1: px(p.labelY) + 6 };
    });
    for (let i = 0; i < boxes.length; i++) {
      // Off the shared point (115, 46 px ± 5).
      expect(boxes[i].x0 >= 120 || boxes[i].x1 <= 110 || boxes[i].y0 >= 51 || boxes[i].y1 <= 41).toBe(true);
      for (let j = 0; j < i; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        expect(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0, `${pts[i].model} vs ${pts[j].model}`).toBe(true);
      }
    }
  });
});
