export * from './command-line';
export * from './errors';
export * from './options';
export * from './values';
