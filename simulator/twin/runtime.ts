import { BehaviourProfile, effective, serve } from '../behaviour';
import { Random } from '../random';
import { WireRequest, WireResponse } from '../transport';
import { CloudWatchTwin } from './cloudwatch';
import { SageMakerTwin } from './sagemaker';

/** One request as the timeline records it. */
/** `smoke` marks the controller's smoke-test invocations (pinned with TargetVariant), which are not user traffic. */
export interface RequestRecord { at: number; variant: string; version: string; ok: boolean; latencyMs: number; regressed: boolean; smoke: boolean }

/**
 * SageMaker Runtime: InvokeEndpoint routed by the live weights (or pinned with TargetVariant), answered by the
 * behaviour profile of the model version the variant runs, and published as SageMaker's per-variant metrics.
 */
export class RuntimeTwin {
  /** When each version first served live traffic, and when its regression began. */
  readonly firstServedAt = new Map<string, number>();
  readonly regressedAt = new Map<string, number>();
  onRequest: (record: RequestRecord) => void = () => undefined;
  /** The next `remaining` requests pinned with TargetVariant from `from` on are answered by the platform with `error` (a fault). */
  smokeFault: { from: number; remaining: number; error: PlatformError } = { from: 0, remaining: 0, error: 'ServiceUnavailable' };

  constructor(
    private readonly sagemaker: SageMakerTwin,
    private readonly cloudwatch: CloudWatchTwin,
    private readonly profiles: Record<string, BehaviourProfile>,
    private readonly random: Random,
  ) {}

  /** The scenario version a model serves, from its model data URL (s3://sim-models/<version>/model.tar.gz). */
  versionOf(modelName: string): string {
    const model = this.sagemaker.modelOf(modelName) as { PrimaryContainer?: { ModelDataUrl?: string } } | undefined;
    const url = model?.PrimaryContainer?.ModelDataUrl ?? '';
    const m = /^s3:\/\/sim-models\/([^/]+)\//.exec(url);
    if (!m || !this.profiles[m[1]]) throw new Error(`the twin cannot tell which scenario version model ${modelName} serves (ModelDataUrl ${url})`);
    return m[1];
  }

  /** Tracks regression onset: called whenever weights change and on every traffic tick. */
  observe(endpointName: string, now: number): void {
    const variants = this.sagemaker.serving(endpointName);
    const total = variants.reduce((s, v) => s + v.weight, 0);
    for (const v of variants) {
      if (v.weight <= 0 || total <= 0) continue;
      const version = this.versionOf(v.modelName);
      if (!this.firstServedAt.has(version)) this.firstServedAt.set(version, now);
      const r = this.profiles[version].regression;
      if (!r || this.regressedAt.has(version)) continue;
      const share = (100 * v.weight) / total;
      const byShare = r.atPercent !== undefined && share >= r.atPercent - 1e-9;
      const byTime = r.afterSeconds !== undefined && now - this.firstServedAt.get(version)! >= r.afterSeconds * 1000;
      if (byShare || byTime) this.regressedAt.set(version, now);
    }
  }

  /** Serves one request; `target` pins the variant (TargetVariant). Undefined when nothing serves. */
  invoke(endpointName: string, target?: string): { variant: string; ok: boolean; latencyMs: number } | undefined {
    const variants = this.sagemaker.serving(endpointName);
    let chosen = target ? variants.find((v) => v.name === target) : undefined;
    if (!target) {
      const total = variants.reduce((s, v) => s + v.weight, 0);
      if (total <= 0) return undefined;
      let pick = this.random.next() * total;
      chosen = variants.find((v) => (pick -= v.weight) < 0) ?? variants[variants.length - 1];
    }
    if (!chosen) return undefined;
    const version = this.versionOf(chosen.modelName);
    const profile = this.profiles[version];
    const now = Date.now();
    const regressedAt = this.regressedAt.get(version);
    const burst = profile.regression?.forSeconds;
    const regressed = regressedAt !== undefined && (burst === undefined || now < regressedAt + burst * 1000);
    const result = target && profile.failsSmokeTest
      ? { ok: false, latencyMs: profile.latencyP50Ms }
      : serve(effective(profile, regressed), this.random);
    const dims = [{ Name: 'EndpointName', Value: endpointName }, { Name: 'VariantName', Value: chosen.name }];
    const metric = (name: string, value: number) => this.cloudwatch.record({ Namespace: 'AWS/SageMaker', MetricName: name, Dimensions: dims }, value, now);
    metric('Invocations', 1);
    metric('Invocation5XXErrors', result.ok ? 0 : 1);
    metric('Invocation4XXErrors', 0);
    metric('ModelLatency', Math.round(result.latencyMs * 1000));
    metric('OverheadLatency', 3000);
    this.onRequest({ at: now, variant: chosen.name, version, ok: result.ok, latencyMs: result.latencyMs, regressed, smoke: target !== undefined });
    return { variant: chosen.name, ...result };
  }

  /** InvokeEndpoint on the wire (REST JSON): POST /endpoints/{name}/invocations. */
  handle(request: WireRequest): WireResponse {
    const m = /^\/endpoints\/([^/]+)\/invocations$/.exec(request.path);
    if (request.method !== 'POST' || !m) return error(404, 'UnknownOperationException', `no route ${request.method} ${request.path}`);
    const endpointName = decodeURIComponent(m[1]);
    const target = request.headers['x-amzn-sagemaker-target-variant'];
    if (!this.sagemaker.endpoints.has(endpointName)) {
      return error(400, 'ValidationError', `Endpoint ${endpointName} of account 123456789012 not found.`);
    }
    if (target && !this.sagemaker.serving(endpointName).some((v) => v.name === target)) {
      return error(400, 'ValidationError', `The variant ${target} is not present on endpoint ${endpointName}.`);
    }
    if (target && this.smokeFault.remaining > 0 && Date.now() >= this.smokeFault.from) {
      this.smokeFault.remaining--;
      const { status, message } = PLATFORM_ERRORS[this.smokeFault.error];
      return error(status, this.smokeFault.error, message);
    }
    const served = this.invoke(endpointName, target);
    if (!served) return error(503, 'ServiceUnavailable', `Endpoint ${endpointName} is not serving.`);
    if (!served.ok) {
      return {
        statusCode: 424,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' },
        body: JSON.stringify({ ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: 500, OriginalMessage: 'model error', message: `Received server error (500) from primary with message "model error".` }),
      };
    }
    return {
      statusCode: 200,
      headers: { 'content-type': request.headers['content-type'] ?? 'application/json', 'x-amzn-invoked-production-variant': served.variant },
      body: JSON.stringify({ prediction: 0.5, variant: served.variant }),
    };
  }
}

/**
 * Errors of SageMaker Runtime itself, not of the model (InvokeEndpoint API reference, Errors; ThrottlingException from
 * the common errors). The model's own failure is ModelError (424).
 */
export const PLATFORM_ERRORS = {
  ServiceUnavailable: { status: 503, message: 'The service is unavailable. Try your call again.' },
  InternalFailure: { status: 500, message: 'An internal failure occurred. Try your call again.' },
  ThrottlingException: { status: 400, message: 'Rate exceeded' },
  ModelNotReadyException: { status: 429, message: 'Model is not ready to serve requests. Try your call again.' },
} as const;

export type PlatformError = keyof typeof PLATFORM_ERRORS;

function error(statusCode: number, code: string, message: string): WireResponse {
  return { statusCode, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ message }) };
}
