import { it } from 'vitest';
import { buildProbes } from '../../probes/index.js';
import { checkExpectations, concatBatch, makeImages } from './helpers.js';
it('tune', async () => {
  const agg = new Map<string, number[]>();
  for (const seed of [0, 1, 2, 3]) {
    for (const p of buildProbes(seed, { exposeLayers: true })) {
      for (const kind of ['white', 'smooth'] as const) {
        const x = makeImages(100 + seed, 4, p.inputShape, kind);
        const res = await checkExpectations(p, p.bytes, x);
        for (const r of res) {
          const e = r.expectation;
          const key = `${p.name} ${e.transform} ${e.part ?? e.layer} ${r.layer} ${e.score} ${e.similarity ?? ''} ${e.atLeast ? '>=' + e.atLeast : '<=' + e.atMost} ${kind}`;
          agg.set(key, [...(agg.get(key) ?? []), r.value]);
        }
      }
    }
  }
  for (const [k, v] of agg) {
    const bad = v.some((x) => (k.includes('>=') ? x < Number(k.split('>=')[1].split(' ')[0]) : x > Number(k.split('<=')[1].split(' ')[0])));
    console.log(`${bad ? 'FAIL' : 'ok  '} ${k.padEnd(80)} min ${Math.min(...v).toFixed(4)} max ${Math.max(...v).toFixed(4)}`);
  }
}, 300000);
