import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  AddTagsCommand,
  DeleteTagsCommand,
  ProductionVariant,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';

export function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException', $fault: 'client', $metadata: {} });
}

interface VariantState {
  current: number;
  desired: number;
  /** Instances running and asked for (the config's InitialInstanceCount, then UpdateEndpointWeightsAndCapacities). */
  instances?: { current: number; desired: number };
}

interface EndpointModel {
  name: string;
  status: string;
  configName: string;
  failureReason?: string;
  variants: Map<string, VariantState>;
  /** Config of an UpdateEndpoint in flight, applied by settle(). */
  pendingConfig?: string;
  tags: Map<string, string>;
}

const arnOf = (name: string) => `arn:aws:sagemaker:us-east-1:111122223333:endpoint/${name.toLowerCase()}`;

/**
 * SageMaker control plane in memory, behind the real SageMakerClient (aws-sdk-client-mock): endpoints, configs and
 * models with the behaviour the controller relies on (RetainAllVariantProperties keeps live weights of staying
 * variants, Create* of an existing name fails, an update can be silently reverted). Tests override single commands
 * with `mock.on(...)` for failures.
 */
export class FakeSageMaker {
  readonly mock = mockClient(SageMakerClient);
  readonly configs = new Map<string, ProductionVariant[]>();
  readonly models = new Set<string>();
  endpoint?: EndpointModel;
  /** When set, settle() leaves the endpoint on its old config, InService, as SageMaker does after a failed update. */
  revertNextUpdate?: string;
  /** When set, weight changes stay desired until settle() (the endpoint is Updating meanwhile). */
  weightsLag = false;

  constructor() {
    this.install();
  }

  private install(): void {
    this.mock.on(DescribeEndpointCommand).callsFake((input) => this.describe(input.EndpointName));
    this.mock.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake((input) => {
      const endpoint = this.existing(input.EndpointName);
      this.assertNotBusy(endpoint);
      for (const item of input.DesiredWeightsAndCapacities) {
        const variant = endpoint.variants.get(item.VariantName);
        if (!variant) {
          throw validationError(`The variant name(s) [${item.VariantName}] is/are not present`);
        }
        if (item.DesiredWeight !== undefined) {
          variant.desired = item.DesiredWeight;
          if (!this.weightsLag) {
            variant.current = item.DesiredWeight;
          }
        }
        if (item.DesiredInstanceCount !== undefined) {
          // New instances take a while: the count applies at settle() (the endpoint is Updating meanwhile).
          variant.instances = { current: variant.instances?.current ?? 0, desired: item.DesiredInstanceCount };
          endpoint.status = 'Updating';
        }
      }
      const scaling = [...endpoint.variants.values()].some((v) => v.instances && v.instances.current !== v.instances.desired);
      endpoint.status = this.weightsLag || scaling ? 'Updating' : 'InService';
      return { EndpointArn: `arn:aws:sagemaker:us-east-1:111122223333:endpoint/${endpoint.name}` };
    });
    this.mock.on(DescribeEndpointConfigCommand).callsFake((input) => {
      const variants = this.configs.get(input.EndpointConfigName);
      if (!variants) {
        throw validationError(`Could not find endpoint configuration "${input.EndpointConfigName}".`);
      }
      return { EndpointConfigName: input.EndpointConfigName, ProductionVariants: structuredClone(variants) };
    });
    this.mock.on(CreateEndpointConfigCommand).callsFake((input) => {
      if (this.configs.has(input.EndpointConfigName)) {
        throw validationError(`Cannot create already existing endpoint configuration "${input.EndpointConfigName}".`);
      }
      this.configs.set(input.EndpointConfigName, structuredClone(input.ProductionVariants));
      return {};
    });
    this.mock.on(CreateModelCommand).callsFake((input) => {
      if (this.models.has(input.ModelName)) {
        throw validationError(`Cannot create already existing model "${input.ModelName}".`);
      }
      this.models.add(input.ModelName);
      return {};
    });
    this.mock.on(CreateEndpointCommand).callsFake((input) => {
      if (this.endpoint) {
        throw validationError(`Cannot create already existing endpoint "${input.EndpointName}".`);
      }
      this.endpoint = {
        name: input.EndpointName, status: 'Creating', configName: input.EndpointConfigName, variants: this.variantsOf(input.EndpointConfigName),
        tags: new Map((input.Tags ?? []).map((t: { Key?: string; Value?: string }) => [t.Key!, t.Value ?? ''])),
      };
      return {};
    });
    // Tags of the endpoint, addressed by ARN as SageMaker does (AddTags overwrites a key).
    const tagged = (arn: string | undefined) => {
      if (!this.endpoint || arnOf(this.endpoint.name) !== arn) throw validationError(`Could not find resource "${arn}".`);
      return this.endpoint.tags;
    };
    this.mock.on(ListTagsCommand).callsFake((input) => ({ Tags: [...tagged(input.ResourceArn)].map(([Key, Value]) => ({ Key, Value })) }));
    this.mock.on(AddTagsCommand).callsFake((input) => {
      for (const t of input.Tags ?? []) tagged(input.ResourceArn).set(t.Key!, t.Value ?? '');
      return { Tags: input.Tags };
    });
    this.mock.on(DeleteTagsCommand).callsFake((input) => {
      for (const key of input.TagKeys ?? []) tagged(input.ResourceArn).delete(key);
      return {};
    });
    this.mock.on(UpdateEndpointCommand).callsFake((input) => {
      const endpoint = this.existing(input.EndpointName);
      this.assertNotBusy(endpoint);
      if (input.RetainAllVariantProperties !== true) {
        throw new Error('FakeSageMaker: the controller must always update with RetainAllVariantProperties');
      }
      endpoint.status = 'Updating';
      endpoint.pendingConfig = input.EndpointConfigName;
      return {};
    });
    this.mock.on(DeleteEndpointCommand).callsFake((input) => {
      this.existing(input.EndpointName);
      this.endpoint = undefined;
      return {};
    });
    this.mock.on(DeleteEndpointConfigCommand).callsFake((input) => {
      if (!this.configs.delete(input.EndpointConfigName)) {
        throw validationError(`Could not find endpoint configuration "${input.EndpointConfigName}".`);
      }
      return {};
    });
    this.mock.on(DeleteModelCommand).callsFake((input) => {
      if (!this.models.delete(input.ModelName)) {
        throw validationError(`Could not find model "${input.ModelName}".`);
      }
      return {};
    });
    this.mock.on(ListEndpointConfigsCommand).callsFake((input) => ({
      EndpointConfigs: [...this.configs.keys()].filter((n) => n.includes(input.NameContains ?? '')).map((EndpointConfigName) => ({ EndpointConfigName })),
    }));
    this.mock.on(ListModelsCommand).callsFake((input) => ({
      Models: [...this.models].filter((n) => n.includes(input.NameContains ?? '')).map((ModelName) => ({ ModelName })),
    }));
  }

  /** An InService endpoint running `configName` with live weights per variant (and these tags). */
  serve(name: string, configName: string, variants: ProductionVariant[], weights: Record<string, number>, tags: Record<string, string> = {}): void {
    this.configs.set(configName, structuredClone(variants));
    for (const v of variants) {
      this.models.add(v.ModelName!);
    }
    this.endpoint = {
      name,
      status: 'InService',
      configName,
      variants: new Map(variants.map((v) => [v.VariantName!, { current: weights[v.VariantName!], desired: weights[v.VariantName!], ...instancesOf(v) }])),
      tags: new Map(Object.entries(tags)),
    };
  }

  tags(): Record<string, string> {
    return Object.fromEntries(this.endpoint?.tags ?? []);
  }

  /** Finishes whatever update is in flight, like SageMaker reaching InService. */
  settle(): void {
    const endpoint = this.endpoint!;
    if (endpoint.pendingConfig !== undefined) {
      if (this.revertNextUpdate !== undefined) {
        endpoint.failureReason = this.revertNextUpdate;
        this.revertNextUpdate = undefined;
      } else {
        const staying = endpoint.variants;
        endpoint.configName = endpoint.pendingConfig;
        endpoint.variants = this.variantsOf(endpoint.pendingConfig);
        // RetainAllVariantProperties: variants that stay keep their live weight.
        for (const name of endpoint.variants.keys()) {
          const live = staying.get(name);
          if (live) {
            endpoint.variants.set(name, { ...live });
          }
        }
      }
      endpoint.pendingConfig = undefined;
    }
    for (const variant of endpoint.variants.values()) {
      variant.current = variant.desired;
      if (variant.instances) variant.instances = { current: variant.instances.desired, desired: variant.instances.desired };
    }
    endpoint.status = 'InService';
  }

  weights(): Record<string, { current: number; desired: number }> {
    return Object.fromEntries([...(this.endpoint?.variants ?? new Map<string, VariantState>())].map(([k, v]) => [k, { current: v.current, desired: v.desired }]));
  }

  /** Clears contents, recorded calls and any per-test override, then installs the fake behaviour again. */
  reset(): void {
    this.mock.reset();
    this.install();
    this.configs.clear();
    this.models.clear();
    this.endpoint = undefined;
    this.revertNextUpdate = undefined;
    this.weightsLag = false;
  }

  /** DescribeEndpoint as the fake answers it now. */
  describe(name: string) {
    const endpoint = this.existing(name);
    return {
      EndpointName: endpoint.name,
      EndpointArn: arnOf(endpoint.name),
      EndpointStatus: endpoint.status,
      EndpointConfigName: endpoint.configName,
      FailureReason: endpoint.failureReason,
      ProductionVariants: [...endpoint.variants].map(([VariantName, v]) => ({
        VariantName, CurrentWeight: v.current, DesiredWeight: v.desired, CurrentInstanceCount: v.instances?.current, DesiredInstanceCount: v.instances?.desired,
      })),
    };
  }

  private existing(name: string): EndpointModel {
    if (!this.endpoint || this.endpoint.name !== name) {
      throw validationError(`Could not find endpoint "${name}".`);
    }
    return this.endpoint;
  }

  private assertNotBusy(endpoint: EndpointModel): void {
    if (endpoint.status !== 'InService') {
      throw validationError(`Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:111122223333:endpoint/${endpoint.name}".`);
    }
  }

  private variantsOf(configName: string): Map<string, VariantState> {
    const variants = this.configs.get(configName);
    if (!variants) {
      throw validationError(`Could not find endpoint configuration "${configName}".`);
    }
    return new Map(variants.map((v) => [v.VariantName!, { current: v.InitialVariantWeight ?? 1, desired: v.InitialVariantWeight ?? 1, ...instancesOf(v) }]));
  }
}

function instancesOf(v: ProductionVariant): Pick<VariantState, 'instances'> {
  return v.InitialInstanceCount === undefined ? {} : { instances: { current: v.InitialInstanceCount, desired: v.InitialInstanceCount } };
}
