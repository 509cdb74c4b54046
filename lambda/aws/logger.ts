import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger for all controller Lambdas (level from POWERTOOLS_LOG_LEVEL). */
export const logger = new Logger({ serviceName: 'sagemaker-rollout' });
