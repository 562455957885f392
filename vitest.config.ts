import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests (and the CLI processes they spawn) keep the discovery cache in a folder of their own, not the user's.
export default defineConfig({
  test: { env: { EQUIPROBE_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'equiprobe-test-cache-')) } },
});
