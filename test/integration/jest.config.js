// Cross-process tests: real Go fixtures, real ClickHouse, real gRPC. Each file starts what it
// needs and stops it in afterAll; timeouts are bounded per test.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'integration',
  rootDir: '.',
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
};
