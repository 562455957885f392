#!/usr/bin/env node
/**
 * Compares the vector-layer scores (Pool, Final, any vector probe) of two sets of result folders,
 * e.g. those of two equiprobe versions over the zoo: `node scripts/vector-parity.mjs A B`, where A
 * and B hold one result folder per model with the same names. Prints the largest absolute
 * difference of any layer or per-element mean, and where it is.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [left, right] = process.argv.slice(2);
let worst = 0;
let where = '';
let count = 0;
for (const model of readdirSync(left).sort()) {
  const read = (root) => JSON.parse(readFileSync(path.join(root, model, 'result.json'), 'utf8'));
  const [a, b] = [read(left), read(right)];
  const vectors = new Set(a.probes.filter((p) => p.kind === 'vector').map((p) => p.name));
  for (const la of a.layers.filter((l) => vectors.has(l.layer))) {
    const lb = b.layers.find((l) => l.layer === la.layer && l.transform === la.transform);
    const pairs = [[la.inv.mean, lb.inv.mean], [la.eqv.mean, lb.eqv.mean], ...la.elements.flatMap((e, i) => [[e.inv.mean, lb.elements[i].inv.mean], [e.eqv.mean, lb.elements[i].eqv.mean]])];
    for (const [x, y] of pairs) {
      count += 1;
      if (Math.abs(x - y) > worst) [worst, where] = [Math.abs(x - y), `${model} ${la.layer} ${la.transform}`];
    }
  }
}
process.stdout.write(`${count} vector-layer means compared; largest |difference| ${worst.toExponential(2)}${where ? ` (${where})` : ''}\n`);
