module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'pprof',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
