import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { SmokeResult, Slot, classifySmokeFailure } from '../core';
import { sagemakerRuntime } from './clients';
import { errorMessage, errorName } from './errors';

/** One request pinned to a slot with TargetVariant; any failure becomes evidence instead of an exception. */
export async function invokeSlot(endpointName: string, slot: Slot, contentType: string, payload: string): Promise<SmokeResult> {
  try {
    const out = await sagemakerRuntime.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        TargetVariant: slot,
        ContentType: contentType,
        Body: Buffer.from(payload, 'utf8'),
      }),
    );
    return {
      ok: true,
      invokedVariant: out.InvokedProductionVariant,
      body: out.Body === undefined ? undefined : Buffer.from(out.Body).toString('utf8'),
    };
  } catch (err) {
    const statusCode = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
    const result = { ok: false, error: `${errorName(err) ?? 'Error'}: ${errorMessage(err)}`, errorName: errorName(err), statusCode };
    return { ...result, failedBy: classifySmokeFailure(result) };
  }
}
