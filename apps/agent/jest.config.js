module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'agent',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
