module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'aggregator',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
