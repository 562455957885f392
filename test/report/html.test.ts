import { describe, expect, it } from 'vitest';
import { correlateReports } from '../../src/correlation/correlate.js';
import { escapeHtml, namespaceSvgIds, renderHtmlReport } from '../../src/report/html.js';
import type { ProbeReport } from '../../src/types.js';
import { makeReport } from './fixtures.js';

const models = [
  makeReport({ name: 'resnet18', quality: 0.7, top1: 0.69 }),
  makeReport({ name: 'resnet50', quality: 0.9 }),
  makeReport({ name: 'vit_small', quality: 1.1 }),
];
const accuracy = new Map([['resnet18', 0.69], ['resnet50', 0.76], ['vit_small', 0.81]]);

/** The page must load nothing from elsewhere: no http(s) in src/href, no scripts, no @import. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
}

describe('renderHtmlReport', () => {
  it('renders one result with metadata, configuration, tables and inline plots', async () => {
    const html = await renderHtmlReport([models[0]]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expectSelfContained(html);
    expect(html).toContain('ab'.repeat(32)); // model SHA-256
    expect(html).toContain('onnxruntime</td><td>1.30.0');
    expect(html).toContain('<td>equiprobe</td><td>0.1.0</td>');
    expect(html).toMatch(/plots drawn with vega \d+\.\d+\.\d+ and vega-lite \d+\.\d+\.\d+/);
    expect(html).toContain('<details><summary>Model, versions and configuration</summary>');
    expect(html).toContain('<td>shift_mode</td>'); // named as in result.json
    expect(html).toContain('/stage0/Relu_output_0'); // layers table
    expect(html).toContain('<details><summary>Accuracy: top-1 0.6900 on 8 images</summary>');
    // Depth plots for both transforms plus the shift plot, inlined.
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html).toContain('Layer depth and op (parts shaded; names in layers.csv)');
    expect(html).toContain('Diagonal shift s (input pixels)');
    // Part table values (Early rot90 inv of the fixture: mean over depths 0..2).
    const earlyInv = [0, 1, 2].map((d) => 0.7 * (d / 11) * 0.8 - 0.05).reduce((a, b) => a + b) / 3;
    expect(html).toContain(`<td class="num">${earlyInv.toFixed(4)}</td>`);
  });

  it('adds comparison plots and a parts table for several results; below 5 models a note instead of correlation', { timeout: 30_000 }, async () => {
    const correlation = correlateReports(models, accuracy);
    const html = await renderHtmlReport(models, { correlation, accuracy, title: 'Zoo <run>' });
    expectSelfContained(html);
    expect(html).toContain('<title>Zoo &lt;run&gt;</title>');
    expect(html).toContain('<h2>Comparison</h2>');
    expect(html).toContain('Part scores — rot90');
    expect(html).toContain('Part scores — translate');
    expect(html).toContain('<h2>Correlation with accuracy</h2>');
    expect(html).toContain("Not shown for 3 models: Spearman's ρ needs at least 5 models");
    expect(html).not.toContain('<th>ρ</th>');
    expect(html).not.toContain('ρ = 1.00');
    for (const m of ['resnet18', 'resnet50', 'vit_small']) expect(html).toContain(`<h2>${m}</h2>`);
  });

  it('from 5 models on: a correlation table and collapsed scatter plots', { timeout: 30_000 }, async () => {
    const five = [0.6, 0.7, 0.8, 0.9, 1.0].map((quality, i) => makeReport({ name: `m${i}`, quality, transforms: ['rot90'] }));
    const acc = new Map(five.map((r, i) => [r.model.name, 0.5 + 0.1 * i]));
    const html = await renderHtmlReport(five, { correlation: correlateReports(five, acc), accuracy: acc });
    expect(html).toContain('<th>ρ</th>');
    // Exact two-sided p of a perfect rank agreement at n = 5: 2/5! = 0.0167.
    expect(html).toContain('ρ = 1.00, p = 0.017, n = 5');
    expect(html).toMatch(/<details><summary>Scatter plots \(\d+\)<\/summary>/);
  });

  it('shows preprocessing as a table, not JSON', async () => {
    const html = await renderHtmlReport([models[0]]);
    expect(html).toContain('<td>preset</td><td><span class="mono">imagenet</span></td>');
    expect(html).toContain('<td>mean</td><td><span class="mono">0.485, 0.456, 0.406</span></td>');
    expect(html).not.toContain('{&quot;preset&quot;');
  });

  it('escapes user text and namespaces SVG ids so plots do not share clip paths', async () => {
    const evil: ProbeReport = {
      ...makeReport({ name: '<img src=x onerror=alert(1)>', transforms: ['rot90'] }),
      warnings: ['layer "a" & <b>'],
    };
    const html = await renderHtmlReport([evil, models[1]]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('layer &quot;a&quot; &amp; &lt;b&gt;');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows a note instead of failing when a plot has no data', async () => {
    const r = makeReport({ name: 'm', transforms: ['rot90'] });
    const allSkipped: ProbeReport = { ...r, layers: r.layers.map((l) => ({ ...l, skipped: 'non-square map' })) };
    const html = await renderHtmlReport([allSkipped]);
    expect(html).toContain('No plot for m: layer scores under rot90');
    expect(html).toContain('non-square map');
  });
});

describe('namespaceSvgIds', () => {
  it('prefixes ids and their url()/href references only', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><a href="#other"/></g></svg>';
    expect(namespaceSvgIds(svg, 'p0-')).toBe(
      '<svg><defs><clipPath id="p0-clip1"><rect/></clipPath></defs><g clip-path="url(#p0-clip1)"><use href="#p0-clip1"/><a href="#other"/></g></svg>',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">Tom's & co</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;');
  });
});
