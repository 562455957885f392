/**
 * Validates result.json files against the published JSON Schema (schema/result.schema.json,
 * generated from the ProbeReport type by `npm run build`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = path.join(ROOT, 'schema', 'result.schema.json');

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

let compiled: Validate | null = null;

function validator(): Validate {
  if (compiled) return compiled;
  // ajv is CommonJS: its class is the default export's `default` under ESM interop.
  const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (o: object) => { compile(s: object): Validate };
  compiled = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return compiled;
}

/** Schema errors of one parsed result.json (empty when it is valid). */
export function schemaErrors(json: unknown): string[] {
  const validate = validator();
  if (validate(json)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/**
 * Every result.json under `dir` written in the current format (schema_version 2), with its
 * schema errors. Files of other versions and unparsable files are deliberate test inputs.
 */
export function validateTree(dir: string): { file: string; errors: string[] }[] {
  const out: { file: string; errors: string[] }[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'result.json') {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(p, 'utf8'));
        } catch {
          continue;
        }
        if ((json as { schema_version?: unknown })?.schema_version !== 2) continue;
        out.push({ file: p, errors: schemaErrors(json) });
      }
    }
  };
  walk(dir);
  return out;
}
