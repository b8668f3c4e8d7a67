// testTimeout is a global jest option; cross-process tests set their bound here instead.
jest.setTimeout(120_000);
