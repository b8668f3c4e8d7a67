module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'contract',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
};
