import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { aws } from './errors';

/** Its own client (not in clients.ts): only the step function asks, and the operator CLI need not bundle it. */
export const serviceQuotas = new ServiceQuotasClient({ maxAttempts: 3 });

/** The quota SageMaker applies to an instance type on real-time endpoints, as Service Quotas names it. */
export function endpointQuotaName(instanceType: string): string {
  return `${instanceType} for endpoint usage`;
}

/**
 * The account's applied quota of `instanceType` instances for endpoints, or undefined when Service Quotas lists none by
 * that name. Each instance type has its own quota code, so the quota is found by name: ListServiceQuotas "lists the
 * applied quota values for the specified AWS service" (Service Quotas API reference), paginated by NextToken.
 */
export async function findEndpointInstanceQuota(instanceType: string): Promise<{ value: number; quotaCode?: string } | undefined> {
  const name = endpointQuotaName(instanceType);
  let token: string | undefined;
  do {
    const out = await aws(() => serviceQuotas.send(new ListServiceQuotasCommand({ ServiceCode: 'sagemaker', NextToken: token, MaxResults: 100 })));
    const quota = (out.Quotas ?? []).find((q) => q.QuotaName === name);
    if (quota?.Value !== undefined) {
      return { value: quota.Value, quotaCode: quota.QuotaCode };
    }
    token = out.NextToken;
  } while (token);
  return undefined;
}
