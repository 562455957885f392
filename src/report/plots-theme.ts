/**
 * Shared look of every equiprobe plot: fonts, sizes and the fixed encodings of
 * invariance (dashed) and equivariance (solid), so all figures read the same way.
 */
import type { Config } from 'vega-lite';
import type { Part, ProbeReport } from '../types.js';

/** Font family written into the SVG; render.ts ships this font so PNGs need no system fonts. */
export const PLOT_FONT = 'DejaVu Sans';

/** Width of a single-panel plot in pixels (before the 2× PNG scale). */
export const PLOT_WIDTH = 500;

/** Height of a single-panel plot in pixels. */
export const PLOT_HEIGHT = 280;

/** vega-lite config shared by all plots: DejaVu Sans everywhere, text ≥ 11 px, white background. */
export const PLOT_CONFIG: Config = {
  font: PLOT_FONT,
  background: 'white',
  padding: 10,
  axis: {
    labelFont: PLOT_FONT,
    titleFont: PLOT_FONT,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titlePadding: 8,
    gridColor: '#e4e4e4',
  },
  legend: {
    labelFont: PLOT_FONT,
    titleFont: PLOT_FONT,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'bold',
    // Lines, not dots, so the dashed/solid distinction is visible in the legend itself.
    symbolType: 'stroke',
    symbolStrokeWidth: 2.5,
    symbolSize: 300,
    labelLimit: 260,
  },
  title: {
    font: PLOT_FONT,
    subtitleFont: PLOT_FONT,
    fontSize: 14,
    subtitleFontSize: 11,
    subtitleColor: '#555',
    anchor: 'start',
    offset: 12,
  },
  text: { font: PLOT_FONT, fontSize: 11 },
  view: { stroke: '#bbb' },
};

/** The spelled-out name of a `ScoreName` in plot data (the `score` field); also the legend label. */
export type ScoreTitle = 'invariance' | 'equivariance';

/** Score labels in legend order. */
export const SCORE_LABELS: readonly ScoreTitle[] = ['invariance', 'equivariance'];

/** strokeDash scale: invariance dashed, equivariance solid (as in the paper's figures). */
export const SCORE_DASH = {
  domain: [...SCORE_LABELS],
  range: [
    [6, 4],
    [1, 0],
  ],
};

/**
 * Point shapes for the two scores: where invariance and equivariance coincide (an exactly
 * equivariant layer, say) the solid line hides the dashed one, but an open square around a
 * circle still shows both.
 */
export const SCORE_SHAPE = { domain: [...SCORE_LABELS], range: ['square', 'circle'] };

/** Line colours for the two scores when colour is not used for something else. */
export const SCORE_COLOR = { domain: [...SCORE_LABELS], range: ['#3b6fb0', '#d9462f'] };

/** Pale background colours for the network parts (light enough to keep lines readable). */
export const PART_FILL: Readonly<Record<Part, string>> = {
  Early: '#e3edf9',
  Middle: '#e4f3e1',
  Late: '#fcebd6',
  Pool: '#efe3f5',
  Final: '#e8e8e8',
};

/** Strong colours for parts when they are lines (shift plot). */
export const PART_COLOR: Readonly<Record<Part, string>> = {
  Early: '#4c78a8',
  Middle: '#54a24b',
  Late: '#f58518',
  Pool: '#b279a2',
  Final: '#555555',
};

/**
 * A y domain that holds every value and the [0, 1] band scores usually fall in; the lower end
 * is rounded down to 0.1 so negative scores are visible.
 *
 * @param values - Plotted values (non-finite ones are ignored).
 * @returns `[min, max]` with min ≤ 0 and max ≥ 1.
 */
export function scoreDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = Math.min(0, ...finite);
  const hi = Math.max(1, ...finite);
  // The 1e−9 nudges keep values already on a 0.1 step (0, −0.3, 1) from being widened by rounding noise.
  return [Math.floor(lo * 10 + 1e-9) / 10, Math.ceil(hi * 10 - 1e-9) / 10];
}

/**
 * Y axis title naming the similarity measure, so cosine-based figures are not mistaken
 * for Pearson-based ones.
 */
export function scoreAxisTitle(reports: readonly ProbeReport[]): string {
  const kinds = [...new Set(reports.map((r) => r.config.similarity))];
  return kinds.length === 1 ? `Score (mean ${kinds[0] === 'pearson' ? 'Pearson r' : 'cosine similarity'})` : 'Score';
}

/**
 * Display names for models, made unique by suffixing " (2)", " (3)" … so two results of the
 * same model do not merge into one line.
 */
export function uniqueModelLabels(reports: readonly ProbeReport[]): string[] {
  const seen = new Map<string, number>();
  return reports.map((r) => {
    const count = (seen.get(r.model.name) ?? 0) + 1;
    seen.set(r.model.name, count);
    return count === 1 ? r.model.name : `${r.model.name} (${count})`;
  });
}
