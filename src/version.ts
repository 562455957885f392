import { createRequire } from 'node:module';

/** equiprobe's version from package.json (recorded in every result). */
export function toolVersion(): string {
  const require = createRequire(import.meta.url);
  // src/version.ts and dist/version.js sit one folder below package.json; the benchmarks' own build
  // (bench/tsconfig.json → dist-bench/src/version.js) sits two below.
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version: string };
      if (pkg.name === 'equiprobe') return pkg.version;
    } catch {
      // try the next depth
    }
  }
  return 'unknown';
}
