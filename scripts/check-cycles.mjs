#!/usr/bin/env node
// Fails when two folders of src/ import each other, directly or through others: each folder is one
// stage of the pipeline, and stages only look down the pipeline. No dependency: reads the
// `import … from '…'` / `export … from '…'` lines of src/**/*.ts and builds the folder graph.
//
//   node scripts/check-cycles.mjs [srcRoot]      exit 0: no cycle; exit 1: prints each cycle
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node of a src/ file: its top folder under srcRoot, or, for a file directly in src/ (types.ts,
 * pipeline.ts, index.ts), the file itself — those are leaves or drivers, not one stage.
 */
function folderOf(srcRoot, file) {
  const rel = path.relative(srcRoot, file);
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(js|ts)$/, '.ts');
}

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * The folder graph of srcRoot: edges folder → folder for every relative import that leaves its
 * folder; each file directly in src/ is a node of its own.
 * @returns Map from folder to Map of imported folder → one example "file → target".
 */
export function folderGraph(srcRoot) {
  const graph = new Map();
  for (const file of listTs(srcRoot)) {
    const from = folderOf(srcRoot, file);
    if (!graph.has(from)) graph.set(from, new Map());
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (path.relative(srcRoot, target).startsWith('..')) continue;
      const to = folderOf(srcRoot, target);
      if (to === from) continue;
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, `${path.relative(srcRoot, file)} → ${spec}`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one folder (Tarjan), each sorted. */
export function findCycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], onStack = new Set(), cycles = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of (graph.get(v) ?? new Map()).keys()) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) cycles.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}

/** One line per cycle, naming its folders and an import on each edge inside it. */
export function describeCycles(graph, cycles) {
  return cycles.map((comp) => {
    const members = new Set(comp);
    const edges = [];
    for (const from of comp) {
      for (const [to, example] of graph.get(from) ?? []) if (members.has(to)) edges.push(`${from} → ${to} (${example})`);
    }
    return `import cycle between src/ folders ${comp.join(', ')}: ${edges.join('; ')}`;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const graph = folderGraph(root);
  const lines = describeCycles(graph, findCycles(graph));
  if (lines.length > 0) {
    for (const line of lines) console.error(line);
    process.exit(1);
  }
  console.log(`no import cycle between the ${graph.size} folders of ${path.relative(process.cwd(), root) || '.'}`);
}
