import { ACCOUNT, REGION } from '../template';
import { ServiceError } from './wire';

/** One version of a parameter, as GetParameter returns it. */
interface StoredParameter {
  readonly Name: string;
  readonly Type: string;
  readonly Value: string;
  readonly Version: number;
  readonly LastModifiedDate: number;
}

/** Standard parameters hold at most 4 KB (SSM API reference, PutParameter `Value`). */
const MAX_STANDARD_VALUE_BYTES = 4096;

/**
 * Parameter Store as the exposure plans meet it (SSM API reference, PutParameter and GetParameter): PutParameter with
 * `Overwrite` replaces the value and raises the version; without it an existing name is `ParameterAlreadyExists`;
 * GetParameter returns the latest version, or `ParameterNotFound`. A write is read back at once: unverified (AWS
 * documents no propagation delay for Parameter Store; the probe does not measure it yet). Throughput limits (40
 * transactions per second by default, shared by GetParameter and PutParameter: GetParameter API reference) are not
 * enforced: the routing clients cache the plan for their TTL, a few reads a minute each.
 */
export class SsmTwin {
  readonly parameters = new Map<string, StoredParameter>();
  /** Every write, for the timeline: when, which parameter, the value. */
  readonly writes: Array<{ at: number; name: string; value: string }> = [];
  /** While true, every call fails as a throttled Parameter Store would (a scenario's fault). */
  unavailable: () => boolean = () => false;

  operations(): Record<string, (input: any) => unknown> {
    return {
      PutParameter: (i) => this.put(i),
      GetParameter: (i) => this.get(i),
    };
  }

  /** What CloudFormation does for an AWS::SSM::Parameter: the first version. */
  create(name: string, value: string, type = 'String'): void {
    this.parameters.set(name, { Name: name, Type: type, Value: value, Version: 1, LastModifiedDate: Date.now() / 1000 });
  }

  private put(i: { Name?: string; Value?: string; Type?: string; Overwrite?: boolean }) {
    this.fault();
    if (!i.Name || i.Value === undefined) throw new ServiceError('ValidationException', 'Name and Value are required');
    if (Buffer.byteLength(i.Value, 'utf8') > MAX_STANDARD_VALUE_BYTES) {
      throw new ServiceError('ValidationException', `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE_BYTES} characters.`);
    }
    const existing = this.parameters.get(i.Name);
    if (existing && !i.Overwrite) {
      throw new ServiceError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const version = (existing?.Version ?? 0) + 1;
    this.parameters.set(i.Name, { Name: i.Name, Type: i.Type ?? existing?.Type ?? 'String', Value: i.Value, Version: version, LastModifiedDate: Date.now() / 1000 });
    this.writes.push({ at: Date.now(), name: i.Name, value: i.Value });
    return { Version: version, Tier: 'Standard' };
  }

  private get(i: { Name?: string }) {
    this.fault();
    const p = this.parameters.get(i.Name ?? '');
    if (!p) throw new ServiceError('ParameterNotFound', '');
    return { Parameter: { ...p, ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${p.Name}`, DataType: 'text' } };
  }

  private fault(): void {
    if (this.unavailable()) throw new ServiceError('ThrottlingException', 'Rate exceeded');
  }
}
