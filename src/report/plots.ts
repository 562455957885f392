/**
 * vega-lite spec builders for equiprobe's figures. Pure: results in, spec out; the specs
 * carry their data inline, so they can be saved as .vl.json and redrawn anywhere.
 * Render them with `renderSpec` from render.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import { correlationPoints, correlationRow, type CorrelatedScore } from '../correlation/correlate.js';
import * as msg from '../correlation/messages.js';
import { PARTS, type Part, type ProbeReport, type TransformName } from '../types.js';
import {
  PART_COLOR,
  PART_FILL,
  PLOT_CONFIG,
  PLOT_HEIGHT,
  PLOT_WIDTH,
  SCORE_COLOR,
  SCORE_DASH,
  SCORE_SHAPE,
  scoreAxisTitle,
  scoreDomain,
  uniqueModelLabels,
  type ScoreTitle,
} from './plots-theme.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * Legend of a dash-only channel: with colour used for models or parts, the legend symbol has
 * no stroke colour of its own (vega-lite paints it as a fill), so set it.
 */
const DASH_LEGEND = {
  symbolStrokeWidth: 2.5,
  // symbolStrokeColor is dropped by vega-lite for filled marks, so set the stroke directly.
  encode: { symbols: { update: { stroke: { value: '#444' } } } },
} as const;

/** One plotted point of a score line. */
interface ScorePoint {
  readonly score: ScoreTitle;
  readonly value: number;
}

/** A vega expression labelling an axis tick `depth` as "depth op" (e.g. "3 Conv"), from the plotted rows. */
function depthLabels(rows: readonly { depth: number; layer: string }[], probes: ReadonlyMap<string, { readonly op: string }>): string {
  const byDepth: Record<string, string> = {};
  for (const r of rows) byDepth[String(r.depth)] = `${r.depth} ${probes.get(r.layer)?.op ?? ''}`.trim();
  return `${JSON.stringify(byDepth)}[datum.value] || datum.value`;
}

/**
 * Score per layer against depth for one transform: invariance dashed, equivariance solid,
 * with pale background bands marking the parts Early/Middle/Late/Pool/Final.
 * Skipped layers and layers without defined pairs are left out.
 *
 * @param report - One result.
 * @param transform - A transform the result was measured with.
 * @returns A layered vega-lite spec (~500 × 280 px plus legends).
 * @throws RangeError when the result has no scores for `transform`.
 * @example
 * const { svg, png } = await renderSpec(layerDepthPlot(report, 'rot90'));
 */
export function layerDepthPlot(report: ProbeReport, transform: TransformName): TopLevelSpec {
  const layers = report.layers.filter((l) => l.transform === transform && l.skipped === undefined);
  if (layers.length === 0) throw new RangeError(msg.noScoresFor(report.model.name, transform));
  const probes = new Map(report.probes.map((p) => [p.name, p]));
  const rows: (ScorePoint & { depth: number; layer: string; part: string })[] = [];
  const bars: (ScorePoint & { depth: number; hi: number })[] = [];
  const nulls: (ScorePoint & { depth: number })[] = [];
  layers.forEach((l, index) => {
    const probe = probes.get(l.layer);
    // A layer missing from probes should not happen; its order among the layers is the best stand-in.
    const depth = probe?.depth ?? index;
    const part = probe?.part ?? 'none';
    for (const [score, stats, u] of [['invariance', l.inv, l.uncertainty?.inv], ['equivariance', l.eqv, l.uncertainty?.eqv]] as const) {
      if (!isFiniteNumber(stats.mean)) continue;
      rows.push({ depth, layer: l.layer, part, score, value: stats.mean });
      if (isFiniteNumber(u?.lo) && isFiniteNumber(u?.hi)) bars.push({ depth, score, value: u.lo, hi: u.hi });
      if (isFiniteNumber(u?.chance)) nulls.push({ depth, score, value: u.chance });
    }
  });
  if (rows.length === 0) throw new RangeError(msg.noScoresFor(report.model.name, transform));
  const depths = rows.map((r) => r.depth);
  const xDomain = [Math.min(...depths) - 0.5, Math.max(...depths) + 0.5];
  const bands = PARTS.flatMap((part) => {
    const d = rows.filter((r) => r.part === part).map((r) => r.depth);
    return d.length === 0 ? [] : [{ part, x0: Math.min(...d) - 0.5, x1: Math.max(...d) + 0.5 }];
  });
  const bandParts = bands.map((b) => b.part);
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: {
      text: `${report.model.name} — ${transform}`,
      subtitle: `Layer scores by depth (${layers.length} layers) with 95 % intervals; faint lines: chance level; shading marks the network parts`,
    },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 1 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', scale: { domain: xDomain, nice: false, zero: false } },
          x2: { field: 'x1' },
          fill: {
            field: 'part',
            type: 'nominal',
            title: 'Part',
            scale: { domain: bandParts, range: bandParts.map((p) => PART_FILL[p]) },
            legend: { symbolType: 'square', symbolStrokeWidth: 0, symbolSize: 200, orient: 'right' },
          },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, point: { filled: false, size: 36, strokeWidth: 1.5 } },
        encoding: {
          x: {
            field: 'depth',
            type: 'quantitative',
            title: 'Layer depth and op (parts shaded; names in layers.csv)',
            axis: { format: 'd', tickMinStep: 1, labelExpr: depthLabels(rows, probes), labelAngle: -40, labelAlign: 'right' },
          },
          y: {
            field: 'value',
            type: 'quantitative',
            title: scoreAxisTitle([report]),
            scale: { domain: scoreDomain([...rows.map((r) => r.value), ...bars.flatMap((b) => [b.value, b.hi]), ...nulls.map((r) => r.value)]), nice: false },
          },
          color: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_COLOR },
          strokeDash: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_DASH },
          shape: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_SHAPE },
        },
      },
      ...uncertaintyLayers(bars, nulls, { field: 'depth', type: 'quantitative' }, { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_COLOR }),
    ],
    resolve: { scale: { x: 'shared' } },
  } as TopLevelSpec;
}

/**
 * Layers drawn under a score line (SPEC §4b): a vertical bar per 95 % interval and a faint,
 * thin line at the chance level, both in the line's colour and dash.
 *
 * @param bars - interval per point: `value` = lower bound, `hi` = upper bound
 * @param nulls - chance level per point
 * @param x - the score line's x encoding
 * @param color - the score line's colour encoding (the same field and scale, so the legends merge)
 * @param detail - fields that, with `score`, tell the null lines apart
 */
function uncertaintyLayers(bars: readonly object[], nulls: readonly object[], x: object, color: object, detail: readonly string[] = []): object[] {
  const layers: object[] = [];
  if (bars.length > 0) {
    layers.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.8 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, y2: { field: 'hi' }, color } });
  }
  if (nulls.length > 0) {
    layers.push({
      data: { values: nulls },
      mark: { type: 'line', strokeWidth: 1, opacity: 0.35 },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative' },
        color,
        strokeDash: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_DASH },
        detail: [...detail, 'score'].map((field) => ({ field, type: 'nominal' })),
      },
    });
  }
  return layers;
}

/** How {@link shiftPlot} groups layers. */
export interface ShiftPlotOptions {
  /**
   * `part` (default): one line per part and score, the mean over the part's layers (each layer
   * weighs the same, as in SPEC §5). `layer`: one line per layer, coloured by depth.
   */
  readonly by?: 'part' | 'layer';
}

/**
 * Translation scores against the diagonal shift s (input pixels), from the per-element
 * scores of the `translate` layers: invariance dashed, equivariance solid.
 *
 * @param report - A result measured with `translate`.
 * @param options - Grouping, see {@link ShiftPlotOptions}.
 * @returns A vega-lite spec.
 * @throws RangeError when the result has no translate scores.
 * @example
 * await renderSpec(shiftPlot(report));            // one line per part
 * await renderSpec(shiftPlot(report, { by: 'layer' }));
 */
export function shiftPlot(report: ProbeReport, options: ShiftPlotOptions = {}): TopLevelSpec {
  const by = options.by ?? 'part';
  const layers = report.layers.filter((l) => l.transform === 'translate' && l.skipped === undefined);
  const probes = new Map(report.probes.map((p) => [p.name, p]));
  const perLayer: (ScorePoint & { shift: number; layer: string; depth: number; part: Part | null })[] = [];
  layers.forEach((l, index) => {
    const probe = probes.get(l.layer);
    for (const e of l.elements) {
      for (const [score, stats] of [['invariance', e.inv], ['equivariance', e.eqv]] as const) {
        if (!isFiniteNumber(stats.mean) || stats.defined === 0) continue;
        perLayer.push({ shift: e.shift, layer: l.layer, depth: probe?.depth ?? index, part: probe?.part ?? null, score, value: stats.mean });
      }
    }
  });
  if (perLayer.length === 0) throw new RangeError(msg.noScoresFor(report.model.name, 'translate'));
  const config = report.config;
  const common = {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
  };
  const x = {
    field: 'shift',
    type: 'quantitative',
    title: 'Diagonal shift s (input pixels)',
    axis: { format: 'd', tickMinStep: 1 },
    scale: { zero: false, nice: false },
  } as const;
  const strokeDash = { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_DASH, legend: DASH_LEGEND } as const;

  if (by === 'layer') {
    return {
      ...common,
      title: {
        text: `${report.model.name} — translate`,
        subtitle: `Score vs shift, one line per layer (${config.shiftMode} mode)`,
      },
      data: { values: perLayer },
      mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
      encoding: {
        x,
        y: yScore(report, perLayer),
        color: { field: 'depth', type: 'quantitative', title: 'Layer depth', scale: { scheme: 'viridis' } },
        strokeDash,
        detail: { field: 'layer', type: 'nominal' },
      },
    } as TopLevelSpec;
  }

  // Mean over the layers of each part, per shift and score; layers with no part are dropped.
  const groups = new Map<string, { part: Part; shift: number; score: ScoreTitle; sum: number; count: number }>();
  for (const r of perLayer) {
    if (r.part === null) continue;
    const key = `${r.part}|${r.shift}|${r.score}`;
    const g = groups.get(key) ?? { part: r.part, shift: r.shift, score: r.score, sum: 0, count: 0 };
    g.sum += r.value;
    g.count++;
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => ({ part: g.part, shift: g.shift, score: g.score, value: g.sum / g.count, layers: g.count }));
  const parts = PARTS.filter((p) => rows.some((r) => r.part === p));
  return {
    ...common,
    title: {
      text: `${report.model.name} — translate`,
      subtitle: `Score vs shift, mean over each part's layers (${config.shiftMode} mode)`,
    },
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, point: { filled: false, size: 36, strokeWidth: 1.5 } },
    encoding: {
      x,
      y: yScore(report, rows),
      color: { field: 'part', type: 'nominal', title: 'Part', scale: { domain: parts, range: parts.map((p) => PART_COLOR[p]) } },
      strokeDash,
      shape: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_SHAPE, legend: DASH_LEGEND },
    },
  } as TopLevelSpec;
}

/**
 * Part scores of several models for one transform, in the style of the paper's Fig. 5/7:
 * x = part (Early → Final), one colour per model, invariance dashed and equivariance solid.
 *
 * @param reports - Results to compare; models without this transform are left out.
 * @param transform - Transform to show.
 * @returns A vega-lite spec.
 * @throws RangeError when no result has part scores for `transform`.
 * @example
 * await renderSpec(comparePlot([r18, r50, vit], 'rot90'));
 */
export function comparePlot(reports: readonly ProbeReport[], transform: TransformName): TopLevelSpec {
  const labels = uniqueModelLabels(reports);
  const rows: (ScorePoint & { model: string; part: Part })[] = [];
  const bars: (ScorePoint & { model: string; part: Part; hi: number })[] = [];
  const nulls: (ScorePoint & { model: string; part: Part })[] = [];
  reports.forEach((report, i) => {
    for (const p of report.parts) {
      if (p.transform !== transform) continue;
      for (const [score, value, u] of [['invariance', p.inv, p.uncertainty?.inv], ['equivariance', p.eqv, p.uncertainty?.eqv]] as const) {
        if (!isFiniteNumber(value)) continue;
        rows.push({ model: labels[i], part: p.part, score, value });
        if (isFiniteNumber(u?.lo) && isFiniteNumber(u?.hi)) bars.push({ model: labels[i], part: p.part, score, value: u.lo, hi: u.hi });
        if (isFiniteNumber(u?.chance)) nulls.push({ model: labels[i], part: p.part, score, value: u.chance });
      }
    }
  });
  if (rows.length === 0) throw new RangeError(msg.noScoresFor(reports.map((r) => r.model.name).join(', ') || '(none)', transform));
  const models = labels.filter((m) => rows.some((r) => r.model === m));
  const parts = PARTS.filter((p) => rows.some((r) => r.part === p));
  const partAxis = { field: 'part', type: 'ordinal', title: 'Network part', sort: parts, scale: { domain: parts, padding: 0.3 }, axis: { labelAngle: 0 } };
  const modelColor = { field: 'model', type: 'nominal', title: 'Model', scale: { domain: models, scheme: 'tableau10' } };
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: {
      text: `Part scores — ${transform}`,
      subtitle: `${models.length} model${models.length === 1 ? '' : 's'}; invariance dashed, equivariance solid; bars: 95 % intervals; faint lines: chance level`,
    },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 40, strokeWidth: 0 } },
        encoding: {
          x: partAxis,
          y: {
            field: 'value',
            type: 'quantitative',
            title: scoreAxisTitle(reports),
            scale: { domain: scoreDomain([...rows.map((r) => r.value), ...bars.flatMap((b) => [b.value, b.hi]), ...nulls.map((r) => r.value)]), nice: false },
          },
          color: modelColor,
          strokeDash: { field: 'score', type: 'nominal', title: 'Score', scale: SCORE_DASH, legend: DASH_LEGEND },
        },
      },
      ...uncertaintyLayers(bars, nulls, partAxis, modelColor, ['model']),
    ],
  } as TopLevelSpec;
}

/**
 * Accuracy against one part score across models: two panels (invariance, equivariance), each
 * point labelled with its model, Spearman's ρ, p and n in the panel titles.
 *
 * @param reports - Results of distinct models.
 * @param accuracy - Accuracy per model name (e.g. from readAccuracyCsv).
 * @param part - Network part whose score is on x.
 * @param transform - Transform of the score.
 * @returns A horizontally concatenated vega-lite spec.
 * @throws RangeError when a model has no accuracy (same message as correlateReports) or no model has this part score.
 * @example
 * await renderSpec(correlationScatter(reports, readAccuracyCsv('acc.csv'), 'Late', 'rot90'));
 */
export function correlationScatter(
  reports: readonly ProbeReport[],
  accuracy: ReadonlyMap<string, number>,
  part: Part,
  transform: TransformName,
): TopLevelSpec {
  const missing = [...new Set(reports.map((r) => r.model.name))].filter((n) => !accuracy.has(n));
  if (missing.length > 0) throw new RangeError(msg.noAccuracyFor(missing));
  const panels = (['inv', 'eqv'] as const).map((kind) => scatterPanel(reports, accuracy, part, transform, kind));
  if (panels.every((p) => p === null)) {
    throw new RangeError(msg.noScoresFor(reports.map((r) => r.model.name).join(', ') || '(none)', `${transform} ${part}`));
  }
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: {
      text: `${part} part, ${transform}: score vs accuracy`,
      subtitle: "Spearman's ρ with two-sided p (exact for n ≤ 9)",
    },
    hconcat: panels.filter((p) => p !== null),
    spacing: 30,
  } as TopLevelSpec;
}

/** One panel of {@link correlationScatter}, or null when no model has this score. */
function scatterPanel(
  reports: readonly ProbeReport[],
  accuracy: ReadonlyMap<string, number>,
  part: Part,
  transform: TransformName,
  kind: CorrelatedScore,
): object | null {
  const points = correlationPoints(reports, accuracy, part, transform, kind);
  if (points.length === 0) return null;
  const { rho, p, n } = correlationRow(points, part, transform, kind);
  const name = kind === 'inv' ? 'Invariance' : 'Equivariance';
  const stats = `ρ = ${rho === null ? 'undefined' : signed(rho.toFixed(2))}, p = ${p === null ? 'n/a' : formatP(p)}, n = ${n}`;
  const xDomain = padDomain(points.map((pt) => pt.score));
  // Labels of points in the right part of the panel go to their left, so they stay inside the frame.
  const cut = xDomain[0] + 0.6 * (xDomain[1] - xDomain[0]);
  const yDomain = padDomain(points.map((pt) => pt.accuracy));
  const sided = points.map((pt) => ({ ...pt, side: pt.score > cut ? ('left' as const) : ('right' as const) }));
  const placed = placeLabels(sided, xDomain, yDomain, SCATTER_SIZE);
  // Labels more than a line away from their point get a thin leader line down to it.
  const pixel = SCATTER_SIZE / (yDomain[1] - yDomain[0]);
  const values = sided.map((pt, i) => ({ ...pt, ...placed[i], moved: Math.abs(placed[i].labelY - pt.accuracy) * pixel > 12 }));
  const label = (side: 'left' | 'right'): object => ({
    transform: [{ filter: { field: 'side', equal: side } }],
    mark: { type: 'text', align: side === 'right' ? 'left' : 'right', baseline: 'middle', dx: side === 'right' ? 7 : -7, fontSize: 11, color: '#333' },
    encoding: { text: { field: 'model' }, y: { field: 'labelY', type: 'quantitative' } },
  });
  return {
    // Two lines keep the title about as wide as the panel; vega estimates text widths generously
    // without a canvas, and a long one-line title would push the panels apart.
    title: { text: [name, stats], fontSize: 12, fontWeight: 'normal' },
    width: SCATTER_SIZE,
    height: SCATTER_SIZE,
    data: { values },
    encoding: {
      x: { field: 'score', type: 'quantitative', title: `${name} score (${part})`, scale: { domain: xDomain, nice: false, zero: false } },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'Accuracy',
        scale: { domain: yDomain, nice: false, zero: false },
      },
    },
    layer: [
      {
        transform: [{ filter: { field: 'moved', equal: true } }],
        mark: { type: 'rule', color: '#999', strokeWidth: 0.8 },
        encoding: { y2: { field: 'labelY' } },
      },
      { mark: { type: 'point', filled: true, size: 60, opacity: 0.9, color: kind === 'inv' ? '#3b6fb0' : '#d9462f' } },
      label('right'),
      label('left'),
    ],
  };
}

/** Width and height of a correlation scatter panel, in pixels. */
const SCATTER_SIZE = 230;

/**
 * Label positions for the points of a scatter panel, so that labels of nearby points overprint
 * neither each other nor other points: each label, from the top point down, takes the first free
 * spot among a few offsets above and below its point, on its preferred side, then on the other
 * side; when none is free, the spot with the least overlap (approximate text widths, 6.2 px per
 * character at 11 px). A label moved off its point gets a leader line.
 *
 * @returns per point: the label's y in accuracy units and the side of the point it sits on
 */
export function placeLabels(
  points: readonly { readonly score: number; readonly accuracy: number; readonly model: string; readonly side: 'left' | 'right' }[],
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
  size: number,
): { labelY: number; side: 'left' | 'right' }[] {
  const px = (x: number) => ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * size;
  const py = (y: number) => size - ((y - yDomain[0]) / (yDomain[1] - yDomain[0])) * size;
  const toY = (pixel: number) => yDomain[0] + ((size - pixel) / size) * (yDomain[1] - yDomain[0]);
  type Box = { x0: number; x1: number; y0: number; y1: number };
  // Points are obstacles too, so a label never covers another model's point.
  const boxes: Box[] = points.map((pt) => ({ x0: px(pt.score) - 5, x1: px(pt.score) + 5, y0: py(pt.accuracy) - 5, y1: py(pt.accuracy) + 5 }));
  const overlap = (b: Box) => boxes.reduce((sum, o) => sum + Math.max(0, Math.min(b.x1, o.x1) - Math.max(b.x0, o.x0)) * Math.max(0, Math.min(b.y1, o.y1) - Math.max(b.y0, o.y0)), 0);
  const out = new Array<{ labelY: number; side: 'left' | 'right' }>(points.length);
  const order = points.map((_, i) => i).sort((a, b) => points[b].accuracy - points[a].accuracy);
  for (const i of order) {
    const pt = points[i];
    const width = 6.2 * pt.model.length;
    const sides = pt.side === 'right' ? (['right', 'left'] as const) : (['left', 'right'] as const);
    let best: { box: Box; side: 'left' | 'right'; cost: number } | null = null;
    for (const side of sides) {
      for (const dy of [-8, 9, -20, 21, -32, 33]) {
        const x0 = side === 'right' ? px(pt.score) + 7 : px(pt.score) - 7 - width;
        const y = py(pt.accuracy) + dy;
        const box = { x0, x1: x0 + width, y0: y - 6, y1: y + 6 };
        const cost = overlap(box);
        if (best === null || cost < best.cost) best = { box, side, cost };
        if (cost === 0) break;
      }
      if (best?.cost === 0) break;
    }
    boxes.push(best!.box);
    out[i] = { labelY: toY((best!.box.y0 + best!.box.y1) / 2), side: best!.side };
  }
  return out;
}

/** y encoding of score plots, domain from the plotted values. */
function yScore(report: ProbeReport, rows: readonly { value: number }[]): object {
  return {
    field: 'value',
    type: 'quantitative',
    title: scoreAxisTitle([report]),
    scale: { domain: scoreDomain(rows.map((r) => r.value)), nice: false },
  };
}

/** Data range widened by 8 % each side (a fixed ±0.05 when all values are equal) so points sit inside the frame. */
function padDomain(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? 0.08 * (hi - lo) : 0.05 * Math.max(1, Math.abs(lo));
  return [lo - pad, hi + pad];
}

/** Typographic minus sign, which DejaVu Sans has and which reads better than a hyphen. */
function signed(text: string): string {
  return text.replace(/^-/, '\u2212');
}

/** p-values: two significant digits, scientific below 0.001 so tiny values stay legible. */
function formatP(p: number): string {
  if (p === 0) return '0';
  return p < 0.001 ? p.toExponential(1).replace('e-', 'e\u2212') : p.toPrecision(2);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
