import { createRequire } from 'node:module';

/** equiprobe's version from package.json (recorded in every result). */
export function toolVersion(): string {
  const require = createRequire(import.meta.url);
  // Source (src/measure) and compiled (dist/src/measure) files sit at different depths.
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version: string };
      if (pkg.name === 'equiprobe') return pkg.version;
    } catch {
      // try the next depth
    }
  }
  return 'unknown';
}
