import { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

import '../../simulator/twin/promise-with-resolvers';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Resolves the intrinsics CDK puts into a DefinitionString to stable placeholder strings. */
function resolve(value: unknown): unknown {
  if (typeof value === 'string' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(resolve);
  const obj = value as Record<string, unknown>;
  if ('Fn::Join' in obj) {
    const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(sep);
  }
  if ('Fn::GetAtt' in obj) {
    const [id, attr] = obj['Fn::GetAtt'] as [string, string];
    return attr === 'Arn' ? `arn:aws:lambda:us-east-1:123456789012:function:${id}` : `${id}.${attr}`;
  }
  if ('Ref' in obj) {
    const ref = obj.Ref as string;
    return ref === 'AWS::Partition' ? 'aws' : ref === 'AWS::Region' ? 'us-east-1' : ref === 'AWS::AccountId' ? '123456789012' : ref;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
}

/** Every state machine definition in a synthesized template, parsed, keyed by logical id. */
export function stateMachineDefinitions(template: Template): Record<string, StateMachineDefinition> {
  const out: Record<string, StateMachineDefinition> = {};
  for (const [id, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::StepFunctions::StateMachine') continue;
    out[id] = JSON.parse(resolve(res.Properties?.DefinitionString) as string);
  }
  return out;
}

type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator: AslValidator = require('asl-validator');

export function validateAsl(definition: unknown): { isValid: boolean; errorsText: (separator?: string) => string } {
  return validator(definition);
}

export { StateMachine };
