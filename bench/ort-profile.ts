/**
 * Sums onnxruntime profiles (`--profile` of bench/metric-runs.ts) by op type, the metric's nodes
 * (named `equiprobe/…`) apart from the model's own:
 * `node dist-bench/bench/ort-profile.js trace.json…` prints, per file, the time in runs, in the
 * model's kernels and in the metric's, then one line per op type (seconds, node runs), largest first.
 */
import { readFileSync } from 'node:fs';

interface TraceEvent {
  readonly cat?: string;
  readonly name: string;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}

for (const file of process.argv.slice(2)) {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').reduce((s, e) => s + e.dur, 0);
  const byOp = new Map<string, { seconds: number; count: number }>();
  const total = { model: 0, metric: 0 };
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const metric = e.name.startsWith('equiprobe');
    const key = `${metric ? 'metric' : 'model '} ${e.args?.op_name ?? '?'}`;
    const entry = byOp.get(key) ?? { seconds: 0, count: 0 };
    byOp.set(key, { seconds: entry.seconds + e.dur / 1e6, count: entry.count + 1 });
    total[metric ? 'metric' : 'model'] += e.dur / 1e6;
  }
  if (byOp.size === 0) continue;
  console.log(`${file}: runs ${(runs / 1e6).toFixed(2)} s, model kernels ${total.model.toFixed(2)} s, metric kernels ${total.metric.toFixed(2)} s`);
  for (const [key, { seconds, count }] of [...byOp].sort((a, b) => b[1].seconds - a[1].seconds)) {
    console.log(`  ${key.padEnd(32)} ${seconds.toFixed(3).padStart(8)} s  ${count}`);
  }
}
