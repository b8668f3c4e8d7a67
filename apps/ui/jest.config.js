// Unit tests of the UI's pure logic (layout, URL state, time ranges); the UI itself is tested in
// a real browser by test/e2e/ui.test.ts.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ui',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
