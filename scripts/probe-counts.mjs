#!/usr/bin/env node
// Probe counts of the real-exporter fixtures (docs/models.md's table): per fixture and probe set,
// the probes, the map/token probes among them, the non-square ones (those rot90 skips), the parts
// and the channel counts K of the maps. Run after `npm run build`: node scripts/probe-counts.mjs
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describeProbes } from '../dist/probeset.js';

const dir = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'real');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort()) {
  for (const layers of ['default', 'all']) {
    const { probes } = await describeProbes({ model: path.join(dir, file), layers, threads: 1 });
    const maps = probes.filter((p) => p.kind !== 'vector');
    const parts = {};
    for (const p of probes) parts[p.part ?? '-'] = (parts[p.part ?? '-'] ?? 0) + 1;
    const widths = [...new Set(maps.map((p) => p.channels))].sort((a, b) => a - b);
    console.log(`${file} ${layers}: probes ${probes.length}, maps ${maps.length}, non-square ${maps.filter((p) => p.h !== p.w).length}, parts ${JSON.stringify(parts)}, K ${widths.join(',')}`);
  }
}
