export * from './counts';
export * from './e-process';
export * from './evidence';
export * from './verdict';
export * from './periods';
export * from './judge';
export * from './restarts';
