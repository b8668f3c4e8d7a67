// testTimeout is a global jest option; the e2e tests set their bounds here and per test.
jest.setTimeout(180_000);
