import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One temporary folder for the suite; every result.json written into it is schema-checked at the end.
    globalSetup: ['test/global-setup.ts'],
  },
});
