// End-to-end: the whole product as separate processes (Go fixtures, agents, aggregator, ClickHouse
// or DuckDB), asserted through the REST API. Needs `npm run build`.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  rootDir: '.',
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
};
