module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'testing',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
