import { Stack, Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/*
 * cdk-nag (v3) reports each wildcard of an IAM policy as its own finding, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:...:*]`, and an acknowledgement must name that finding
 * exactly. The library acknowledges the wildcards it creates itself, each with its reason, so every stack using it
 * inherits them; anything a user adds is still reported. The finding text is the resolved value flattened the way
 * cdk-nag does it (Ref -> <Id>, GetAtt -> <Id.Attr>, Join concatenated).
 */

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** The finding text cdk-nag uses for `value` (an ARN, possibly with tokens) in the stack of `scope`. */
export function nagFindingText(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/** Acknowledges the wildcard resources among `resources` on `scope` (ignored when it is not a construct). */
export function acknowledgeWildcardResources(scope: unknown, resources: string[], reason: string): void {
  if (!Construct.isConstruct(scope)) return;
  for (const resource of resources) {
    const text = nagFindingText(scope, resource);
    if (text.includes('*')) {
      Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${text}]`, reason });
    }
  }
}

/** Acknowledges wildcard actions (e.g. the `kms:GenerateDataKey*` of KMS grants) on `scope`. */
export function acknowledgeWildcardActions(scope: unknown, actions: string[], reason: string): void {
  if (!Construct.isConstruct(scope)) return;
  for (const action of actions.filter((a) => a.includes('*'))) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}

/** Acknowledges an AWS managed policy attached to a role under `scope`. */
export function acknowledgeManagedPolicy(scope: IConstruct, managedPolicyArn: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM4[Policy::${nagFindingText(scope, managedPolicyArn)}]`, reason });
}

/** Wildcard actions of `IKey.grantEncrypt` / `grantEncryptDecrypt` / table grants with a customer key. */
export const KMS_GRANT_WILDCARD_ACTIONS = ['kms:ReEncrypt*', 'kms:GenerateDataKey*'];
