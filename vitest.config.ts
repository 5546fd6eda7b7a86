import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Fail on unhandled errors and rejections rather than letting them pass unnoticed.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
