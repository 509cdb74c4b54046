import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand,
  ProductionVariant, SageMakerClient, UpdateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { modelArtifact, MODEL_BUCKET } from '../simulator/scenario-app';
import { ForeignController, slotOf } from '../simulator/simulation';
import { AlarmDefinition } from '../simulator/twin/cloudwatch';
import { ACCOUNT, REGION } from '../simulator/template';
import { TrafficPlan, decideAtPoll } from './traffic-plan';

/** How often an emulated tool retries a refused call (throttled, or the endpoint still Updating), and how often it polls status. */
const RETRY_SECONDS = 10;
const STATUS_POLL_SECONDS = 30;

/** How an emulated rollout ended, as the emulated tool itself would report it. */
export interface EmulatedOutcome { readonly outcome: 'promoted' | 'rolled-back'; readonly at: number; readonly reason: string }

/**
 * A small controller standing in for another tool (SageMaker deployment guardrails, CodeDeploy-style traffic shifting,
 * all-at-once): it drives the same twin through the same AWS APIs as any client, so traffic routing, metrics and alarms
 * (with the calibration's lag) are the ones the library's controller faces. It provisions the candidate beside the
 * stable (UpdateEndpoint with both variants, the candidate at weight 0, standing for the green fleet), shifts weights
 * step by step, reads the library's guard alarms of the candidate slot during each bake, and on any ALARM returns all
 * traffic to the stable and retires the candidate. Deliberately simple: bench/README.md lists what it leaves out.
 */
export class EmulatedController implements ForeignController {
  readonly outcomes: EmulatedOutcome[] = [];
  private running = 0;
  private deploys = 0;

  /**
   * @param phaseMs when, within its polling interval, the tool reads its alarms: drawn per run (`pollPhaseMs`), since
   * the tool's polls are not aligned with CloudWatch's minute evaluations.
   */
  constructor(private readonly plan: TrafficPlan, private readonly phaseMs = 0) {}

  busy(): boolean {
    return this.running > 0;
  }

  deploy(version: string, endpointName: string): void {
    this.running++;
    void this.rollOut(version, endpointName)
      .catch((error: Error) => this.outcomes.push({ outcome: 'rolled-back', at: Date.now(), reason: `emulated controller failed: ${error.message}` }))
      .finally(() => this.running--);
  }

  private async rollOut(version: string, endpointName: string): Promise<void> {
    const sagemaker = new SageMakerClient({ region: REGION, maxAttempts: 1 });
    const cloudwatch = new CloudWatchClient({ region: REGION, maxAttempts: 1 });
    const n = ++this.deploys;
    const endpoint = await retry(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName })));
    const config = await retry(() => sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName! })));
    const live = new Map((endpoint.ProductionVariants ?? []).map((v) => [v.VariantName!, v.CurrentWeight ?? 0]));
    const stable = [...(config.ProductionVariants ?? [])].sort((a, b) => (live.get(b.VariantName!) ?? 0) - (live.get(a.VariantName!) ?? 0))[0];
    const stableSlot = stable.VariantName!;
    const candidateSlot = stableSlot === 'blue' ? 'green' : 'blue';
    const model = await retry(() => sagemaker.send(new DescribeModelCommand({ ModelName: stable.ModelName! })));
    const artifact = modelArtifact(version);
    const candidateModel = `emulated-${version}-${n}`;
    await retry(() => sagemaker.send(new CreateModelCommand({
      ModelName: candidateModel,
      ExecutionRoleArn: model.ExecutionRoleArn,
      PrimaryContainer: {
        ...model.PrimaryContainer,
        Image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${model.PrimaryContainer?.Image?.split('/')[1]?.split('@')[0] ?? 'sim-model'}@${artifact.digest}`,
        ModelDataUrl: `s3://${MODEL_BUCKET}/${artifact.key}`,
      },
    })));
    const variant = (slot: string, modelName: string, weight: number): ProductionVariant => ({ ...stable, VariantName: slot, ModelName: modelName, InitialVariantWeight: weight });
    const configured = async (name: string, variants: ProductionVariant[]) => {
      await retry(() => sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: variants })));
      await retry(() => sagemaker.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: name })));
      await this.inService(sagemaker, endpointName);
    };
    const weights = async (candidatePercent: number) => {
      await retry(() => sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpointName,
        DesiredWeightsAndCapacities: [
          { VariantName: stableSlot, DesiredWeight: 100 - candidatePercent },
          { VariantName: candidateSlot, DesiredWeight: candidatePercent },
        ],
      })));
    };

    // The green fleet, beside the blue one, serving nothing yet.
    await configured(`emulated-both-${n}`, [variant(stableSlot, stable.ModelName!, 1), variant(candidateSlot, candidateModel, 0)]);
    const watched = await this.candidateAlarms(cloudwatch, endpointName, candidateSlot);
    for (const step of this.plan.steps) {
      await weights(step.percent);
      const stepStart = Date.now();
      await sleep(this.phaseMs);
      for (;;) {
        const states = await retry(() => cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: watched })))
          .then((r) => (r.MetricAlarms ?? []).map((a) => a.StateValue ?? 'INSUFFICIENT_DATA'));
        const decision = decideAtPoll(states, (Date.now() - stepStart) / 1000, step);
        if (decision === 'rollback') {
          await weights(0);
          this.outcomes.push({ outcome: 'rolled-back', at: Date.now(), reason: `alarm in ALARM at the ${step.percent}% step` });
          await this.inService(sagemaker, endpointName);
          await configured(`emulated-stable-${n}`, [variant(stableSlot, stable.ModelName!, 1)]);
          return;
        }
        if (decision === 'next-step') break;
        await sleep(Math.min(this.plan.alarmPollSeconds, Math.max(1, step.bakeSeconds - (Date.now() - stepStart) / 1000)) * 1000);
      }
    }
    this.outcomes.push({ outcome: 'promoted', at: Date.now(), reason: 'every bake passed with no alarm' });
    await this.inService(sagemaker, endpointName);
    // The blue fleet is retired: the candidate alone serves.
    await configured(`emulated-candidate-${n}`, [variant(candidateSlot, candidateModel, 1)]);
  }

  /** The library's guard alarms of the candidate slot on this endpoint (the alarms a user would name to the tool). */
  private async candidateAlarms(cloudwatch: CloudWatchClient, endpointName: string, slot: string): Promise<string[]> {
    const all = await retry(() => cloudwatch.send(new DescribeAlarmsCommand({})));
    const mine = (all.MetricAlarms ?? []).filter((a) => {
      const definition = a as unknown as AlarmDefinition;
      const dims = definition.Dimensions ?? definition.Metrics?.flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []) ?? [];
      return slotOf(definition) === slot && dims.some((d) => d.Name === 'EndpointName' && d.Value === endpointName);
    }).map((a) => a.AlarmName!);
    if (mine.length === 0) throw new Error(`no guard alarm watches slot ${slot} of endpoint ${endpointName}: the emulation needs the library's guard alarms`);
    return mine;
  }

  private async inService(sagemaker: SageMakerClient, endpointName: string): Promise<void> {
    for (;;) {
      const status = await retry(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }))).then((d) => d.EndpointStatus);
      if (status === 'InService') return;
      if (status === 'Failed') throw new Error(`endpoint ${endpointName} Failed`);
      await sleep(STATUS_POLL_SECONDS * 1000);
    }
  }
}

/** A polling phase in [0, pollSeconds) fixed by the run's seed. */
export function pollPhaseMs(seed: number, pollSeconds: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) >>> 0) % (pollSeconds * 1000);
}

/** Retries a refused call (throttling, an endpoint still Updating) every RETRY_SECONDS, as a managed service would. */
async function retry<T>(call: () => Promise<T>, attempts = 360): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(RETRY_SECONDS * 1000);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
