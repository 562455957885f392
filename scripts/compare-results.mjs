#!/usr/bin/env node
// Compares two result trees number by number: every *.csv and *.json file under A must exist under
// B with the same shape, the same text in non-numeric cells, and numbers within the tolerance.
// Timestamps (`created_at`) are not compared. Prints the largest difference and where it is.
//
//   node scripts/compare-results.mjs A B [tolerance=1e-12]
//   exit 0: equal within the tolerance; exit 1: a larger difference or a structural one (printed)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const IGNORED_KEYS = new Set(['created_at', 'createdAt']);

/** Relative paths of the *.csv and *.json files under root, sorted. */
function listResults(root, dir = root) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listResults(root, full));
    else if (/\.(csv|json)$/.test(name)) out.push(path.relative(root, full));
  }
  return out.sort();
}

/** RFC 4180 records (quotes, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

const asNumber = (v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** Compares two numbers or texts; records the largest numeric difference and any mismatch. */
function compareValue(a, b, where, state) {
  const x = asNumber(a), y = asNumber(b);
  if (x !== null && y !== null) {
    state.numbers++;
    const d = Math.abs(x - y);
    if (d > state.max.diff) state.max = { diff: d, where, a: x, b: y };
    return;
  }
  if (a !== b) state.mismatches.push(`${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

function compareJson(a, b, where, state) {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return state.mismatches.push(`${where}: arrays differ in shape`);
    a.forEach((v, i) => compareJson(v, b[i], `${where}[${i}]`, state));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (IGNORED_KEYS.has(k)) continue;
      if (!(k in a) || !(k in b)) state.mismatches.push(`${where}.${k}: only in ${k in a ? 'A' : 'B'}`);
      else compareJson(a[k], b[k], `${where}.${k}`, state);
    }
  } else compareValue(a, b, where, state);
}

function compareCsv(a, b, file, state) {
  const ra = parseCsv(a), rb = parseCsv(b);
  if (ra.length !== rb.length) return state.mismatches.push(`${file}: ${ra.length} vs ${rb.length} rows`);
  ra.forEach((row, i) => {
    if (row.length !== rb[i].length) return state.mismatches.push(`${file}:${i + 1}: ${row.length} vs ${rb[i].length} fields`);
    row.forEach((cell, j) => compareValue(cell, rb[i][j], `${file}:${i + 1}:${ra[0][j] ?? j + 1}`, state));
  });
}

/**
 * Compares result trees a and b.
 * @returns counts, the largest difference and the mismatches found
 */
export function compareResults(a, b) {
  const state = { files: 0, numbers: 0, max: { diff: 0, where: '(none)', a: null, b: null }, mismatches: [] };
  const fa = listResults(a), fb = new Set(listResults(b));
  for (const f of fb) if (!fa.includes(f)) state.mismatches.push(`${f}: only in B`);
  for (const f of fa) {
    if (!fb.has(f)) { state.mismatches.push(`${f}: only in A`); continue; }
    state.files++;
    const ta = readFileSync(path.join(a, f), 'utf8'), tb = readFileSync(path.join(b, f), 'utf8');
    if (f.endsWith('.json')) compareJson(JSON.parse(ta), JSON.parse(tb), f, state);
    else compareCsv(ta, tb, f, state);
  }
  return state;
}

const [a, b, tolText = '1e-12'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node scripts/compare-results.mjs A B [tolerance=1e-12]');
  process.exit(2);
}
const tolerance = Number(tolText);
const s = compareResults(a, b);
console.log(`${s.files} files, ${s.numbers} numbers compared; largest difference ${s.max.diff} at ${s.max.where}${s.max.a === null ? '' : ` (${s.max.a} vs ${s.max.b})`}`);
for (const m of s.mismatches.slice(0, 20)) console.log(`differs: ${m}`);
if (s.mismatches.length > 20) console.log(`… and ${s.mismatches.length - 20} more`);
const ok = s.mismatches.length === 0 && s.max.diff <= tolerance;
console.log(ok ? `equal within ${tolerance}` : `NOT equal within ${tolerance}`);
process.exit(ok ? 0 : 1);
