import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { describeCycles, findCycles, folderGraph } from '../../scripts/check-cycles.mjs';

type Graph = Map<string, Map<string, string>>;

/** A src/ tree of the given files (path → text) in a fresh temporary folder. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'equiprobe-cycles-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('check-cycles', () => {
  it('src/ has no import cycle between its folders (CI runs the same check)', () => {
    const graph: Graph = folderGraph(path.resolve(import.meta.dirname, '../../src'));
    expect(describeCycles(graph, findCycles(graph))).toEqual([]);
  });

  it('EXPECTED FAILURE - two folders importing each other are named, with an import on each edge', () => {
    const root = tree({
      'a/one.ts': "import { two } from '../b/two.js';\nexport const one = 1;",
      'b/two.ts': "import type { one } from '../a/one.js';\nexport const two = 2;",
      'c/three.ts': "import { one } from '../a/one.js';",
    });
    const graph: Graph = folderGraph(root);
    const cycles = findCycles(graph);
    expect(cycles).toEqual([['a', 'b']]);
    const [line] = describeCycles(graph, cycles);
    expect(line).toContain('a → b (a/one.ts → ../b/two.js)');
    expect(line).toContain('b → a (b/two.ts → ../a/one.js)');
  });

  it('a cycle through three folders and one through a top-level file are found; imports inside a folder are not edges', () => {
    const root = tree({
      'a/x.ts': "import { y } from './y.js';\nexport { z } from '../b/z.js';",
      'a/y.ts': 'export const y = 1;',
      'b/z.ts': "import { w } from '../c/w.js';",
      'c/w.ts': "import { x } from '../a/x.js';",
      'top.ts': "import { w } from './c/w.js';",
      'd/v.ts': "import { t } from '../top.js';",
      'c/u.ts': "import { v } from '../d/v.js';",
    });
    expect(findCycles(folderGraph(root))).toEqual([['a', 'b', 'c', 'd', 'top.ts']]);
  });

  it('a chain without a way back is no cycle', () => {
    const root = tree({ 'a/x.ts': "import { y } from '../b/y.js';", 'b/y.ts': "import { z } from '../c/z.js';", 'c/z.ts': 'export const z = 1;' });
    expect(findCycles(folderGraph(root))).toEqual([]);
  });
});
