module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'config',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
