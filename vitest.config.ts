import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One temporary folder for the suite (and the discovery cache inside it, not the user's); every
    // result.json written into it is schema-checked at the end.
    globalSetup: ['test/global-setup.ts'],
  },
});
