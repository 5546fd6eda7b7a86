import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/test-ca.ts', 'test/setup/dynamodb-local.ts'],
    env: { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Fail on unhandled errors and rejections rather than letting them pass unnoticed.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
