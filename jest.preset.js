// Shared jest settings: TypeScript through ts-jest (type errors are caught by `npm run lint`,
// so tests transpile file by file), and workspace libraries resolved to their sources so a
// test never needs a prior build.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@stackwatch/(pprof|contract|config|testing)$': path.join(root, 'libs/$1/src/index.ts'),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
