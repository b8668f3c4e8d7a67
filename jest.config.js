// Every jest project of the workspace. `npm run test:unit` selects the unit projects,
// `npm run test:integration` the cross-process ones under test/integration, `npm run test:e2e`
// the whole product under test/e2e.
module.exports = {
  projects: [
    '<rootDir>/libs/pprof',
    '<rootDir>/libs/contract',
    '<rootDir>/libs/config',
    '<rootDir>/libs/testing',
    '<rootDir>/apps/agent',
    '<rootDir>/apps/aggregator',
    '<rootDir>/apps/ui',
    '<rootDir>/test/integration',
    '<rootDir>/test/e2e',
  ],
};
