/**
 * Helpers for tests of the analysis commands: fake results written to a temporary folder the
 * way `equiprobe measure` writes them (result.json through resultJson: snake_case keys, NaN written as null).
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultJson } from '../../src/report/write.js';
import type { ProbeReport } from '../../src/types.js';

/** A fresh temporary folder. */
export function tempDir(prefix = 'equiprobe-analysis-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `report` as `<root>/<folder>/result.json` and returns the result folder. */
export function writeResult(root: string, folder: string, report: ProbeReport): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), resultJson(report));
  return dir;
}

/** Writes a text file under `root` and returns its path. */
export function writeText(root: string, name: string, text: string): string {
  const file = join(root, name);
  writeFileSync(file, text);
  return file;
}

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
