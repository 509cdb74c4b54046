import { ServiceError } from './wire';

/**
 * Service Quotas as the controller meets it: ListServiceQuotas for ServiceCode `sagemaker`, paginated (MaxResults up to
 * 100, NextToken; Service Quotas API reference, ListServiceQuotas). SageMaker names its per-type instance quotas for
 * real-time endpoints `<type> for endpoint usage` (the "Amazon SageMaker AI endpoints and quotas" page of the AWS
 * General Reference; ResourceLimitExceeded messages quote the same name). The twin lists those for a few common types,
 * each at the account quota its SageMaker enforces, among quotas of other kinds (so a lookup must page and match the
 * name); with no quota enforced it lists no endpoint usage quota, as for a quota whose applied value is not available.
 * Quota codes are the twin's own (`L-TWIN...`): AWS's codes differ per type and are not needed by name.
 */
export class ServiceQuotasTwin {
  constructor(private readonly instanceQuota: () => number | undefined) {}

  operations(): Record<string, (input: any) => unknown> {
    return { ListServiceQuotas: (i) => this.list(i) };
  }

  private list(i: { ServiceCode?: string; NextToken?: string; MaxResults?: number }) {
    if (i.ServiceCode !== 'sagemaker') {
      throw new ServiceError('NoSuchResourceException', `The request failed because the specified service ${i.ServiceCode} does not exist.`);
    }
    const size = Math.min(100, Math.max(1, i.MaxResults ?? 100));
    const quotas = this.quotas();
    const from = i.NextToken === undefined ? 0 : Number(i.NextToken);
    if (!Number.isInteger(from) || from < 0 || from > quotas.length) throw new ServiceError('InvalidPaginationTokenException', 'Invalid pagination token');
    const page = quotas.slice(from, from + size);
    return { Quotas: page, ...(from + size < quotas.length ? { NextToken: String(from + size) } : {}) };
  }

  private quotas(): Array<Record<string, unknown>> {
    const quota = this.instanceQuota();
    const entries: Array<[string, number]> = [];
    for (const type of INSTANCE_TYPES) {
      for (const use of ['training job usage', 'processing job usage', 'notebook instance usage', 'transform job usage']) entries.push([`${type} for ${use}`, 0]);
      if (quota !== undefined) entries.push([`${type} for endpoint usage`, quota]);
    }
    return entries.map(([QuotaName, Value], n) => ({
      ServiceCode: 'sagemaker', ServiceName: 'Amazon SageMaker', QuotaCode: `L-TWIN${String(n).padStart(4, '0')}`, QuotaName, Value, Unit: 'None', Adjustable: true, GlobalQuota: false,
    }));
  }
}

const INSTANCE_TYPES = ['ml.t2.medium', 'ml.m5.large', 'ml.m5.xlarge', 'ml.c5.large', 'ml.c5.xlarge', 'ml.c6i.large', 'ml.g5.xlarge', 'ml.g4dn.xlarge', 'ml.p3.2xlarge', 'ml.inf2.xlarge'];
