/**
 * The job scripts of docs/cluster.md: the document shows them verbatim, they run as written
 * (here without Slurm, with the variables Slurm sets), and the merge of their shards is the single
 * run. `scripts/slurm-e2e.sh` runs them on a real one-node Slurm cluster; set EQUIPROBE_SLURM_E2E=1
 * (as root, on Debian) to run it here too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, ZOO, requireBuild, runCli } from '../reliability/helpers.js';

const DOC = readFileSync(path.join(ROOT, 'docs/cluster.md'), 'utf8');
const SCRIPTS = ['docs/cluster/measure-array.sbatch', 'docs/cluster/merge.sbatch'];
const MEASURE = [path.join(ZOO, 'cnn7.onnx'), '--synthetic', '9', '--preset', 'fmnist', '-t', 'rot90', '--batch', '2'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a job script with bash and the variables Slurm would set. */
function job(script: string, env: Record<string, string>, args: string[] = []) {
  const r = spawnSync('bash', [path.join(ROOT, script), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, EQUIPROBE_HOME: ROOT, RESULTS: path.join(tmp, 'results'), SHARDS: '2', SLURM_CPUS_PER_TASK: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('docs/cluster.md job scripts', () => {
  test.each(SCRIPTS)('%s is shown verbatim in docs/cluster.md and parses', (script) => {
    const text = readFileSync(path.join(ROOT, script), 'utf8');
    expect(DOC).toContain(`\`\`\`bash\n${text}\`\`\``);
    expect(spawnSync('bash', ['-n', path.join(ROOT, script)]).status).toBe(0);
  });

  test('two array tasks and the merge job, run as written, give the single run; a rerun of a finished task exits 0', () => {
    requireBuild();
    for (const task of ['0', '1']) {
      const r = job(SCRIPTS[0], { SLURM_ARRAY_TASK_ID: task }, MEASURE);
      expect(r.code, r.stderr).toBe(0);
    }
    const again = job(SCRIPTS[0], { SLURM_ARRAY_TASK_ID: '1' }, MEASURE);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already holds the finished result');

    const merged = job(SCRIPTS[1], {});
    expect(merged.code, merged.stderr).toBe(0);
    const single = runCli(['measure', ...MEASURE, '--threads', '1', '--out', path.join(tmp, 'single'), '--no-plots', '-q']);
    expect(single.code, single.stderr).toBe(0);
    for (const table of ['layers.csv', 'parts.csv', 'elements.csv']) {
      expect(readFileSync(path.join(tmp, 'results/merged', table), 'utf8'), table).toBe(readFileSync(path.join(tmp, 'single', table), 'utf8'));
    }
  }, 180_000);

  test('EXPECTED FAILURE - a job script without its variables says which to export', () => {
    const r = job(SCRIPTS[0], { SLURM_ARRAY_TASK_ID: '0', SHARDS: '' }, MEASURE);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SHARDS: export SHARDS=N/);
  });

  test.runIf(process.env.EQUIPROBE_SLURM_E2E === '1')('scripts/slurm-e2e.sh: the documented array on a one-node Slurm cluster, one task requeued, merge = single run', () => {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts/slurm-e2e.sh')], { encoding: 'utf8', timeout: 900_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/slurm-e2e: PASSED in \d+ s/);
  }, 900_000);
});
