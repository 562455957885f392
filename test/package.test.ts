/**
 * The published package: `npm pack` → install the tarball into an empty folder (dependencies from
 * the npm registry) → run `equiprobe sanity` and import the library there. About a minute with a
 * warm npm cache; set EQUIPROBE_SKIP_PACK_TEST=1 to skip it (e.g. offline).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { requireBuild, ROOT } from './reliability/helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe.skipIf(process.env.EQUIPROBE_SKIP_PACK_TEST === '1')('package', () => {
  test('the packed tarball installs into an empty folder and runs `equiprobe sanity`', { timeout: 300_000 }, () => {
    requireBuild();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-pack-'));
    // dist/ is already built (and schema/ generated) by `npm run build`; scripts would only redo that.
    const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as {
      filename: string;
      size: number;
      files: { path: string }[];
    }[];
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/equiprobe.js', 'dist/index.js', 'dist/cli/main.js', 'README.md', 'docs/SPEC.md', 'schema/result.schema.json', 'assets/fonts/DejaVuSans.ttf']));
    expect(files.filter((f) => /^(test|examples|results|src|bench|dist-bench)\//.test(f) || f.endsWith('.map'))).toEqual([]);
    expect(packed.size).toBeLessThan(2_000_000);

    const app = path.join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    execFileSync(npm, ['init', '-y'], { cwd: app, stdio: 'ignore' });
    const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false' };
    execFileSync(npm, ['install', path.join(dir, packed.filename)], { cwd: app, env, stdio: 'ignore' });
    expect(readdirSync(path.join(app, 'node_modules', 'equiprobe'))).toEqual(expect.arrayContaining(['bin', 'dist', 'schema', 'assets']));

    const out = execFileSync(path.join(app, 'node_modules', '.bin', 'equiprobe'), ['sanity', '--images', '8', '--out', path.join(app, 'sanity')], { cwd: app, encoding: 'utf8' });
    expect(out).toMatch(/(\d+) of \1 checks passed/);
    const lib = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('equiprobe'); console.log(['measure', 'writeResult', 'writeReport', 'readReport'].map((k) => typeof m[k]).join())"], { cwd: app, encoding: 'utf8' });
    expect(lib.trim()).toBe('function,function,function,function');
  });
});
