import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One temporary folder for the suite; every result.json written into it is schema-checked at the end.
    globalSetup: ['test/global-setup.ts'],
    // Tests (and the CLI processes they spawn) keep the discovery cache in a folder of their own, not the user's.
    env: { EQUIPROBE_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'equiprobe-test-cache-')) },
  },
});
