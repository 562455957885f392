/**
 * Renders vega-lite specs to SVG (vega, headless) and PNG (resvg), with the font shipped in
 * assets/fonts so output does not depend on the fonts installed on the machine.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_FONT } from './plots-theme.js';

// vega, vega-lite and resvg are imported when a plot is drawn: they take about 0.4 s to load,
// which a measurement would otherwise pay before its first image.

/** Font file name inside assets/fonts. */
const FONT_FILE = 'DejaVuSans.ttf';

/** Options of {@link renderSpec}. */
export interface RenderOptions {
  /** PNG pixels per SVG pixel (default 2, for sharp figures on high-DPI screens and in papers). */
  readonly scale?: number;
  /** Font files for resvg; default: the DejaVu Sans shipped with equiprobe. */
  readonly fontFiles?: readonly string[];
}

/** A rendered plot. */
export interface RenderedPlot {
  /** Standalone SVG document (text kept as text, font-family "DejaVu Sans"). */
  readonly svg: string;
  /** PNG bytes at `scale` × the SVG size. */
  readonly png: Uint8Array;
}

/**
 * Compiles a vega-lite spec and renders it headless to SVG and PNG.
 * vega-lite → vega spec → `View` with renderer 'none' → `toSVG()` → resvg PNG.
 *
 * @param spec - A vega-lite spec, e.g. from `layerDepthPlot`.
 * @param options - Scale and fonts, see {@link RenderOptions}.
 * @returns SVG text and PNG bytes.
 * @throws Error when vega-lite rejects the spec or the shipped font is missing.
 * @example
 * const { svg, png } = await renderSpec(comparePlot(reports, 'rot90'));
 * await writeFile('compare_rot90.png', png);
 */
export async function renderSpec(spec: TopLevelSpec, options: RenderOptions = {}): Promise<RenderedPlot> {
  const svg = await renderSvg(spec);
  const { Resvg } = await import('@resvg/resvg-js');
  const fontFiles = options.fontFiles ? [...options.fontFiles] : [shippedFontPath()];
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    // System fonts are never loaded, so the PNG looks the same on every machine.
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: PLOT_FONT },
  });
  const png = resvg.render().asPng();
  return { svg, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
}

/**
 * Compiles a vega-lite spec and renders it headless to SVG only (no PNG), e.g. for inlining in HTML.
 *
 * @param spec - A vega-lite spec.
 * @returns Standalone SVG text.
 * @throws Error when vega-lite rejects the spec.
 * @example
 * const svg = await renderSvg(layerDepthPlot(report, 'rot90')); // '<svg xmlns=… width="…"'
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const vegaSpec = compile(spec).spec;
  // renderer 'none' builds the scenegraph without a canvas or DOM; toSVG then serialises it.
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Path of the DejaVu Sans font shipped in `assets/fonts/`.
 * This file runs from src/report/ (tests), dist/report/ (built) or dist-bench/src/report/ (benchmarks), so the package root
 * is found by walking up rather than by a fixed number of `..`.
 *
 * @returns Absolute path of DejaVuSans.ttf.
 * @throws Error when the font is not found (e.g. assets/ left out of a package).
 */
export function shippedFontPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', 'fonts', FONT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `Font assets/fonts/${FONT_FILE} not found above ${fileURLToPath(import.meta.url)}. ` +
      'Reinstall equiprobe, or pass fontFiles to renderSpec.',
  );
}

/**
 * Versions of the plotting libraries, recorded in reports so a figure can be redrawn identically.
 *
 * @returns e.g. `{ vega: '5.33.1', vegaLite: '5.23.0' }` (a promise: the libraries are loaded on first use).
 */
export async function rendererVersions(): Promise<{ vega: string; vegaLite: string }> {
  const [vega, { version: vegaLite }] = await Promise.all([import('vega'), import('vega-lite')]);
  // vega exports `version` at run time, but its typings do not declare it.
  const vegaVersion = (vega as unknown as { version?: string }).version ?? 'unknown';
  return { vega: vegaVersion, vegaLite };
}
