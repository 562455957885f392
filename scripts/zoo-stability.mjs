// Two-halves stability table of the zoo study (run by scripts/zoo.sh).
// Usage: node scripts/zoo-stability.mjs RESULTS_DIR MODEL...
// Reads RESULTS_DIR/shards/<model>-{0,1}/result.json and RESULTS_DIR/<model>/result.json and
// writes RESULTS_DIR/stability.csv: per model x transform x part x score (inv, eqv), the two
// halves' values, their absolute difference, and the value of the full (merged) run.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir, ...models] = process.argv.slice(2);
if (!dir || models.length === 0) {
  console.error('usage: node scripts/zoo-stability.mjs RESULTS_DIR MODEL...');
  process.exit(2);
}

const readParts = (file) => {
  const result = JSON.parse(readFileSync(file, 'utf8'));
  const parts = new Map();
  for (const p of result.parts) parts.set(`${p.transform}/${p.part}`, p);
  return { parts, order: result.parts.map((p) => `${p.transform}/${p.part}`) };
};
const fmt = (v) => (v === undefined || v === null || Number.isNaN(v) ? '' : v.toFixed(6));

const rows = [['model', 'transform', 'part', 'score', 'half0', 'half1', 'abs_diff', 'full']];
let worst = { diff: -1 };
for (const model of models) {
  const h0 = readParts(path.join(dir, 'shards', `${model}-0`, 'result.json'));
  const h1 = readParts(path.join(dir, 'shards', `${model}-1`, 'result.json'));
  const full = readParts(path.join(dir, model, 'result.json'));
  for (const key of full.order) {
    const [transform, part] = key.split('/');
    for (const score of ['inv', 'eqv']) {
      const a = h0.parts.get(key)?.[score];
      const b = h1.parts.get(key)?.[score];
      const f = full.parts.get(key)?.[score];
      const diff = a === undefined || b === undefined ? undefined : Math.abs(a - b);
      if (diff !== undefined && diff > worst.diff) worst = { diff, model, key, score };
      rows.push([model, transform, part, score, fmt(a), fmt(b), fmt(diff), fmt(f)]);
    }
  }
  console.log(`stability: ${model} done`);
}
const out = path.join(dir, 'stability.csv');
writeFileSync(out, rows.map((r) => r.join(',')).join('\n') + '\n');
console.log(`stability: wrote ${out} (${rows.length - 1} rows; largest two-halves difference ${worst.diff.toFixed(3)}: ${worst.model} ${worst.key} ${worst.score})`);
