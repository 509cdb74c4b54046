import { BehaviourProfile, ServingValues, drawer, profileAt, serve } from '../behaviour';
import { Random } from '../random';
import { TrafficSample } from '../traffic-log';
import { WireRequest, WireResponse } from '../transport';
import { CloudWatchTwin } from './cloudwatch';
import { SageMakerTwin } from './sagemaker';

/** One request as the timeline records it (the controller's smoke tests; user traffic is kept as `TrafficSample`s). */
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
  /** User requests one variant served at one moment, with each one's latency (ms). */
  onTraffic: (sample: TrafficSample, latenciesMs: ArrayLike<number>) => void = () => undefined;
  /** Copies of user requests (the shadow phase's mirror) one variant served at one moment: answered, but to no user. */
  onMirror: (sample: TrafficSample) => void = () => undefined;
  /** A request slower than this counts as bad (`TrafficSample.bad`). */
  slowRequestMs = 1000;
  /** The metric objects of each endpoint and variant, made once (CloudWatch keys its series by them). */
  private readonly metrics = new Map<string, Record<'invocations' | 'errors5xx' | 'errors4xx' | 'modelLatency' | 'overheadLatency', { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> }>>();
  private readonly versions = new Map<string, string>();
  /** The next `remaining` requests pinned with TargetVariant from `from` on are answered by the platform with `error` (a fault). */
  smokeFault: { from: number; remaining: number; error: PlatformError } = { from: 0, remaining: 0, error: 'ServiceUnavailable' };
  /** Each bursty version's error bursts as [from, to) epoch-ms windows in time order (see `burstWindows`). */
  bursts = new Map<string, Array<{ from: number; to: number }>>();
  /**
   * Draws which user requests a version's container refuses as invalid input (`inputRejectRate`): a stream of its own,
   * so versions without rejections draw exactly as before.
   */
  inputRandom = new Random(0);

  constructor(
    private readonly sagemaker: SageMakerTwin,
    private readonly cloudwatch: CloudWatchTwin,
    private readonly profiles: Record<string, BehaviourProfile>,
    private readonly random: Random,
  ) {}

  /** The scenario version a model serves, from its model data URL (s3://sim-models/<version>/model.tar.gz). */
  versionOf(modelName: string): string {
    const known = this.versions.get(modelName);
    if (known !== undefined) return known;
    const model = this.sagemaker.modelOf(modelName) as { PrimaryContainer?: { ModelDataUrl?: string } } | undefined;
    const url = model?.PrimaryContainer?.ModelDataUrl ?? '';
    const m = /^s3:\/\/sim-models\/([^/]+)\//.exec(url);
    if (!m || !this.profiles[m[1]]) throw new Error(`the twin cannot tell which scenario version model ${modelName} serves (ModelDataUrl ${url})`);
    this.versions.set(modelName, m[1]);
    return m[1];
  }

  /**
   * The variant the callers' routing clients target (cohort exposure, shadow phase) and its share of the traffic in
   * percent (the exposure plan's; 0 for copies only), or undefined: the weights alone route.
   */
  exposure: (endpointName: string) => { readonly variant: string; readonly percent: number } | undefined = () => undefined;

  /**
   * Tracks regression onset: called whenever weights change and on every traffic tick. A version's share of traffic is
   * its weight's, or, targeted by the routing clients at weight 0, its exposure's: a regression `atPercent` starts at
   * the cohort step that exposes that share, and one `afterSeconds` counts from the first request it served, copies
   * included.
   */
  observe(endpointName: string, now: number): void {
    const variants = this.sagemaker.serving(endpointName);
    const total = variants.reduce((s, v) => s + v.weight, 0);
    const exposed = this.exposure(endpointName);
    for (const v of variants) {
      const weighted = total > 0 ? (100 * v.weight) / total : 0;
      const targeted = exposed?.variant === v.name;
      if (weighted <= 0 && !targeted) continue;
      const version = this.versionOf(v.modelName);
      if (weighted > 0 && !this.firstServedAt.has(version)) this.firstServedAt.set(version, now);
      const r = this.profiles[version].regression;
      const servedSince = this.firstServedAt.get(version);
      if (!r || this.regressedAt.has(version)) continue;
      const share = Math.max(weighted, targeted ? exposed.percent : 0);
      const byShare = r.atPercent !== undefined && share >= r.atPercent - 1e-9;
      const byTime = r.afterSeconds !== undefined && servedSince !== undefined && now - servedSince >= r.afterSeconds * 1000;
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
    const result = target && profile.failsSmokeTest ? { ok: false, latencyMs: profile.latencyP50Ms } : serve(this.valuesOf(version, now), this.random);
    this.publish(endpointName, chosen.name, now, 1, result.ok ? 0 : 1, 0, [result.latencyMs]);
    if (target) {
      this.onRequest({ at: now, variant: chosen.name, version, ok: result.ok, latencyMs: result.latencyMs, regressed: this.regressedAt.has(version), smoke: true });
    } else {
      this.onTraffic({ at: now, variant: chosen.name, version, requests: 1, failed: result.ok ? 0 : 1, bad: !result.ok || result.latencyMs > this.slowRequestMs ? 1 : 0 }, [result.latencyMs]);
    }
    return { variant: chosen.name, ...result };
  }

  /**
   * Serves one traffic tick: `count` user requests at this instant, each routed by the live weights and drawn from
   * its version's profile as `invoke` would (same random draws in the same order), published per variant at once.
   * With `target` (TargetVariant) every request goes to that variant, whatever the weights (InvokeEndpoint API
   * reference: TargetVariant overrides the weights), and nothing is served when it is not on the endpoint. Returns the
   * variant of each request, in order. `mirror`: these are the routing clients' copies of user requests (shadow phase),
   * served and published like any request (SageMaker's per-variant metrics count every invocation of the variant) but
   * answering no user: reported to `onMirror`, not `onTraffic`.
   */
  serveUsers(endpointName: string, count: number, target?: string, mirror = false): string[] {
    if (count <= 0) return [];
    const serving = this.sagemaker.serving(endpointName);
    const variants = target === undefined ? serving : serving.filter((v) => v.name === target).map((v) => ({ ...v, weight: 1 }));
    const total = variants.reduce((s, v) => s + v.weight, 0);
    if (total <= 0) return [];
    const order: string[] = [];
    const now = Date.now();
    const served = variants.map((v) => {
      const version = this.versionOf(v.modelName);
      // A targeted request serves a variant at weight 0 too: its version serves live traffic from now on.
      if (target !== undefined && !this.firstServedAt.has(version)) this.firstServedAt.set(version, now);
      const rejectRate = this.profiles[version].inputRejectRate ?? 0;
      return { variant: v.name, version, draw: drawer(this.valuesOf(version, now), this.random), rejectRate, failed: 0, rejected: 0, bad: 0, latencies: [] as number[] };
    });
    for (let k = 0; k < count; k++) {
      let pick = this.random.next() * total;
      let i = variants.findIndex((v) => (pick -= v.weight) < 0);
      if (i < 0) i = variants.length - 1;
      const s = served[i];
      order.push(s.variant);
      const latencyMs = s.draw.latencyMs();
      const ok = s.draw.ok();
      // A request the model answers is one whose input its container accepted: a refused one is a 4xx, not a 5xx.
      const rejected = ok && s.rejectRate > 0 && this.inputRandom.next() < s.rejectRate;
      s.latencies.push(latencyMs);
      if (!ok) s.failed++;
      if (rejected) s.rejected++;
      if (!ok || rejected || latencyMs > this.slowRequestMs) s.bad++;
    }
    for (const s of served) {
      if (s.latencies.length === 0) continue;
      this.publish(endpointName, s.variant, now, s.latencies.length, s.failed, s.rejected, s.latencies);
      const sample = { at: now, variant: s.variant, version: s.version, requests: s.latencies.length, failed: s.failed, bad: s.bad };
      if (mirror) this.onMirror(sample);
      else this.onTraffic(sample, s.latencies);
    }
    return order;
  }

  /** The values a version serves with now: its regression's progress and its bursts. */
  private valuesOf(version: string, now: number): ServingValues {
    const regressedAt = this.regressedAt.get(version);
    return profileAt(this.profiles[version], { regressedForMs: regressedAt === undefined ? undefined : now - regressedAt, inBurst: this.inBurst(version, now) });
  }

  /**
   * SageMaker's per-variant metrics of `requests` requests, `failed` of them with a 5xx and `rejected` with a 4xx:
   * "Invocation4XXErrors: The number of InvokeEndpoint requests where the model returned a 4xx HTTP response code. For
   * each 4xx response, 1 is sent; otherwise, 0 is sent" (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html),
   * and likewise 5xx. A refused request's latency still counts in ModelLatency (unverified: not measured, the probe sends
   * only requests its model answers and provokes no 4xx or 5xx).
   */
  private publish(endpointName: string, variant: string, now: number, requests: number, failed: number, rejected: number, latenciesMs: number[]): void {
    const key = `${endpointName}\n${variant}`;
    let m = this.metrics.get(key);
    if (!m) {
      const metric = (name: string) => ({ Namespace: 'AWS/SageMaker', MetricName: name, Dimensions: [{ Name: 'EndpointName', Value: endpointName }, { Name: 'VariantName', Value: variant }] });
      m = { invocations: metric('Invocations'), errors5xx: metric('Invocation5XXErrors'), errors4xx: metric('Invocation4XXErrors'), modelLatency: metric('ModelLatency'), overheadLatency: metric('OverheadLatency') };
      this.metrics.set(key, m);
    }
    this.cloudwatch.recordMany(m.invocations, now, 1, requests);
    this.cloudwatch.recordMany(m.errors5xx, now, 0, requests - failed);
    this.cloudwatch.recordMany(m.errors5xx, now, 1, failed);
    this.cloudwatch.recordMany(m.errors4xx, now, 0, requests - rejected);
    this.cloudwatch.recordMany(m.errors4xx, now, 1, rejected);
    this.cloudwatch.recordMany(m.modelLatency, now, latenciesMs.map((ms) => Math.round(ms * 1000)));
    this.cloudwatch.recordMany(m.overheadLatency, now, 3000, requests);
  }

  /** Whether a burst of errors of this version lasts at `now` (binary search over its windows). */
  inBurst(version: string, now: number): boolean {
    const windows = this.bursts.get(version);
    if (!windows) return false;
    let lo = 0;
    let hi = windows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (windows[mid].to <= now) lo = mid + 1;
      else hi = mid;
    }
    return lo < windows.length && windows[lo].from <= now;
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
