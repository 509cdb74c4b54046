/*
 * Imported first by every handler/adapter test: the Lambdas read configuration from the environment, and the
 * Powertools logger reads its level when the module loads.
 */
process.env.TABLE_NAME = 'rollout-state';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:rollout';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// The controller's EMF metric lines stay out of the test output (metrics-on.ts turns them on for the tests that read them).
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_REGION = 'us-east-1';
delete process.env.EVENT_BUS_NAME;

export const STATE_MACHINE_ARN = process.env.STATE_MACHINE_ARN;
