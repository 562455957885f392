/**
 * Runs around the whole suite: every test writes its temporary files under one fresh folder
 * (TMPDIR, inherited by the test workers and the CLI processes they spawn) and keeps its discovery
 * cache there (EQUIPROBE_CACHE_DIR, not the user's), and at the end every result.json written there
 * is validated against the published JSON Schema; then the folder is removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateTree } from './schema-validator.js';

let suiteTmp = '';

export function setup(): void {
  suiteTmp = mkdtempSync(path.join(tmpdir(), 'equiprobe-suite-'));
  process.env.TMPDIR = suiteTmp;
  process.env.EQUIPROBE_CACHE_DIR = path.join(suiteTmp, 'discovery-cache');
}

export function teardown(): void {
  const checked = validateTree(suiteTmp);
  const bad = checked.filter((c) => c.errors.length > 0);
  rmSync(suiteTmp, { recursive: true, force: true });
  if (bad.length > 0) {
    // vitest reports an error thrown here but still exits 0; the exit code must say it too.
    process.exitCode = 1;
    const lines = bad.slice(0, 5).map((b) => `${b.file}: ${b.errors.slice(0, 3).join('; ')}`);
    throw new Error(`${bad.length} of ${checked.length} result.json file(s) written by the suite do not match schema/result.schema.json:\n${lines.join('\n')}`);
  }
  process.stdout.write(`schema: ${checked.length} result.json file(s) written by the suite match schema/result.schema.json\n`);
}
