import { createHash } from 'node:crypto';
import type { PolicyDocument, RolePolicies } from './twin/iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface CfnResource { Type: string; Properties?: Record<string, any>; DependsOn?: unknown }
export interface CfnTemplate { Resources: Record<string, CfnResource> }

const EC2_ID_PREFIX: Record<string, string> = { 'AWS::EC2::VPC': 'vpc', 'AWS::EC2::Subnet': 'subnet', 'AWS::EC2::SecurityGroup': 'sg' };

/**
 * A synthesized CloudFormation template "deployed" into the twin: every resource gets a physical name, and
 * intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub) resolve as CloudFormation would.
 */
export class DeployedTemplate {
  constructor(readonly stackName: string, readonly template: CfnTemplate) {}

  resources(type: string): Array<{ id: string; properties: Record<string, any> }> {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ id, properties: this.resolve(r.Properties ?? {}) as Record<string, any> }));
  }

  resource(id: string): CfnResource {
    const r = this.template.Resources[id];
    if (!r) throw new Error(`template has no resource ${id}`);
    return r;
  }

  /** What `Ref` returns for a resource. */
  ref(id: string): string {
    const r = this.resource(id);
    const name = this.physicalName(id);
    switch (r.Type) {
      case 'AWS::StepFunctions::StateMachine': return this.arn(id, 'Arn');
      case 'AWS::SNS::Topic': return this.arn(id, 'Arn');
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
      default: return EC2_ID_PREFIX[r.Type] ? this.ec2Id(id) : name;
    }
  }

  /**
   * EC2 ids as CloudFormation returns them (resource reference, "Return values": Ref of a VPC, subnet or VPC security group
   * is its id, `vpc-`/`subnet-`/`sg-` and 17 hex digits; GetAtt GroupId of a security group the same), stable per logical id.
   */
  private ec2Id(id: string): string {
    const hex = createHash('sha256').update(`${this.stackName}/${id}`).digest('hex').slice(0, 17);
    return `${EC2_ID_PREFIX[this.resource(id).Type]}-${hex}`;
  }

  physicalName(id: string): string {
    const r = this.resource(id);
    const p = r.Properties ?? {};
    const given = p.AlarmName ?? p.TableName ?? p.FunctionName ?? p.StateMachineName ?? p.TopicName ?? p.RoleName ?? p.BucketName ?? p.ManagedPolicyName;
    if (typeof given === 'string') return given;
    const generated = `${this.stackName}-${id}`;
    return r.Type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  }

  arn(id: string, attribute: string): string {
    const r = this.resource(id);
    const name = this.physicalName(id);
    if (attribute !== 'Arn') return `${name}.${attribute}`;
    switch (r.Type) {
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      case 'AWS::CloudWatch::Alarm': case 'AWS::CloudWatch::CompositeAlarm': return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
      // A role's ARN carries its path (IAM user guide, "IAM identifiers": arn:aws:iam::account:role/path/name).
      case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role${typeof r.Properties?.Path === 'string' ? r.Properties.Path : '/'}${name}`;
      case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${name}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`;
      case 'AWS::ECR::Repository': return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
      case 'AWS::Events::Rule': return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
      default: return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${REGION}:${ACCOUNT}:${name}`;
    }
  }

  /**
   * The identity policies of the role a resource runs as (a function's `Role`, a state machine's `RoleArn`): every
   * AWS::IAM::Policy and AWS::IAM::ManagedPolicy attached to it, its inline `Policies` and the customer managed
   * policies of this template it lists in `ManagedPolicyArns`. AWS managed policies (AWSLambdaBasicExecutionRole) are
   * not modelled: they grant only CloudWatch Logs, which the twin does not serve.
   */
  rolePolicies(resourceId: string): RolePolicies {
    const p = this.resource(resourceId).Properties ?? {};
    const roleRef = p.Role ?? p.RoleArn;
    const roleId = Array.isArray(roleRef?.['Fn::GetAtt']) ? roleRef['Fn::GetAtt'][0] : undefined;
    if (typeof roleId !== 'string') throw new Error(`${resourceId} runs as ${JSON.stringify(roleRef)}: the twin authorizes only roles of this template (Fn::GetAtt <role>.Arn)`);
    return this.policiesOfRole(roleId);
  }

  /** The identity policies of the AWS::IAM::Role `roleId` (see rolePolicies). */
  policiesOfRole(roleId: string): RolePolicies {
    const attachedTo = (props: Record<string, any>) => (props.Roles ?? []).some((r: unknown) => (r as { Ref?: string })?.Ref === roleId);
    const role = this.resource(roleId).Properties ?? {};
    const managedArns = (this.resolve(role.ManagedPolicyArns ?? []) as string[]);
    const policies = Object.entries(this.template.Resources).flatMap(([id, r]) => {
      const props = r.Properties ?? {};
      const attached = (r.Type === 'AWS::IAM::Policy' && attachedTo(props))
        || (r.Type === 'AWS::IAM::ManagedPolicy' && (attachedTo(props) || managedArns.includes(this.ref(id))));
      return attached ? [{ name: id, document: this.resolve(props.PolicyDocument) as PolicyDocument }] : [];
    });
    const inline = (role.Policies ?? []).map((q: { PolicyName: string; PolicyDocument: unknown }) => ({ name: `${roleId}/${q.PolicyName}`, document: this.resolve(q.PolicyDocument) as PolicyDocument }));
    return { roleArn: this.arn(roleId, 'Arn'), policies: [...policies, ...inline] };
  }

  resolve(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = obj[fn] as any;
      switch (fn) {
        case 'Ref': return this.pseudo(arg) ?? this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': return (this.resolve(arg[1]) as unknown[]).join(arg[0]);
        case 'Fn::Select': return (this.resolve(arg[1]) as unknown[])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
          return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (vars[name] !== undefined) return String(this.resolve(vars[name]));
            const [id, attribute] = name.split('.');
            return attribute ? this.getAtt(id, attribute) : this.pseudo(id) ?? this.ref(id);
          });
        }
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.resolve(v)]));
  }

  private getAtt(id: string, attribute: string): string {
    const r = this.resource(id);
    if (attribute === 'Arn') return this.arn(id, 'Arn');
    if (r.Type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return this.physicalName(id);
    if (r.Type === 'AWS::ECR::Repository' && attribute === 'RepositoryUri') return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${this.physicalName(id)}`;
    if (r.Type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return this.ec2Id(id);
    return `${this.physicalName(id)}.${attribute}`;
  }

  private pseudo(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region': return REGION;
      case 'AWS::AccountId': return ACCOUNT;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${this.stackName}/sim`;
      case 'AWS::NoValue': return undefined;
    }
    return undefined;
  }
}
