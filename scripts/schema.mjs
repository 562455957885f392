// Generates schema/result.schema.json, the JSON Schema of result.json, from the TypeScript type
// it is written from (ProbeReportOnDisk in src/report/disk-format.ts: ProbeReport with layers
// enriched), with property names snake_cased as on disk. Run by `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';
// The same key mapping as result.json itself (built by tsc just before this script runs).
import { diskKey } from '../dist/report/disk-format.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Renames object properties (and their `required` entries) in every schema node. */
function snakeSchema(node) {
  if (Array.isArray(node)) return node.map(snakeSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [diskKey(name), snakeSchema(s)]));
    else if (k === 'required' && Array.isArray(v)) out[k] = v.map(diskKey);
    else out[k] = snakeSchema(v);
  }
  // toJson writes NaN and ±Inf (an undefined score) as null, so every number may be null.
  if (out.type === 'number') out.type = ['number', 'null'];
  return out;
}

const generated = createGenerator({
  path: path.join(root, 'src/report/disk-format.ts'),
  tsconfig: path.join(root, 'tsconfig.json'),
  type: 'ProbeReportOnDisk',
  skipTypeCheck: true,
}).createSchema('ProbeReportOnDisk');

const schema = {
  $schema: generated.$schema,
  title: 'equiprobe result.json',
  description: 'One measurement written by `equiprobe measure` (generated from the ProbeReport type; keys snake_cased).',
  ...snakeSchema({ $ref: generated.$ref, definitions: generated.definitions }),
};
mkdirSync(path.join(root, 'schema'), { recursive: true });
writeFileSync(path.join(root, 'schema/result.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
