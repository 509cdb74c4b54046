export * from './approval';
export * from './auto-scaling';
export * from './blue-green-endpoint';
export * from './concurrency-policy';
export * from './exposure';
export * from './guard';
export * from './model-version';
export * from './release-calendar';
export * from './rollout-controller';
export * from './rollout-dashboard';
export * from './rollout-outcome';
export * from './rollout-strategy';
export * from './slot';
/** The routing client of cohort exposure, for callers of the endpoint (also `cdk-sagemaker-rollout/client`). */
export * as client from './client';
