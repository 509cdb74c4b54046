import { createHash } from 'node:crypto';
import { ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** IAM resource ARNs of what one controller creates, the same however many endpoints it serves. */
export interface ControllerResourceArns {
  /** Every EndpointConfig the controller may create. */
  readonly endpointConfigs: string;
  /** Every Model the controller may create. */
  readonly models: string;
}

/**
 * The controller's key: 8 hex characters of its stack's name (unique per account and region, which is where alarm
 * and SageMaker names must be unique), or of its construct path when the stack name is a token. Fixed length, so one
 * controller's prefixes never start another's.
 */
export function controllerKey(controller: IConstruct): string {
  const stack = Stack.of(controller);
  const source = Token.isUnresolved(stack.stackName) ? Names.uniqueId(controller) : stack.stackName;
  return createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 8);
}

/** `r<key>-`: what every Model and EndpointConfig name of the controller starts with (lambda/core/names.ts). */
export function sageMakerNamePrefix(key: string): string {
  return `r${key}-`;
}

/** SageMaker ARNs carry names in lower case (IAM matches case-sensitively); the prefix is lower case already. */
export function controllerResourceArns(stack: Stack, namePrefix: string): ControllerResourceArns {
  const arn = (resource: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName: `${namePrefix}*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return { endpointConfigs: arn('endpoint-config'), models: arn('model') };
}

/** The endpoint's own ARN, exact (no wildcard: an endpoint `fraud` never covers `fraud-scoring`). */
export function endpointArnOf(stack: Stack, endpointName: string): string {
  return stack.formatArn({
    service: 'sagemaker',
    resource: 'endpoint',
    resourceName: Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase(),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
