export * from './approval';
export * from './blue-green-endpoint';
export * from './concurrency-policy';
export * from './guard';
export * from './model-version';
export * from './rollout-controller';
export * from './rollout-strategy';
export * from './slot';
