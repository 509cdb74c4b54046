/** Configuration comes from the Lambda environment; read at call time so one bundle serves every stack. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set; the RolloutController sets it on every controller Lambda`);
  }
  return value;
}

export function tableName(): string {
  return requireEnv('TABLE_NAME');
}

export function stateMachineArn(): string {
  return requireEnv('STATE_MACHINE_ARN');
}

/** Undefined means the account's default event bus. */
export function eventBusName(): string | undefined {
  return process.env.EVENT_BUS_NAME || undefined;
}

/**
 * The controller's prefix for the SageMaker Models and EndpointConfigs it creates (`r<8 hex>-`), which its IAM
 * permissions are scoped to. Empty when unset (handler unit tests).
 */
export function sageMakerNamePrefix(): string {
  return process.env.SAGEMAKER_NAME_PREFIX ?? '';
}
