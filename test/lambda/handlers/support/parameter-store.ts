import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * Parameter Store as the exposure plan's handlers see it: PutParameter writes, GetParameter reads the latest value by
 * name. `reset()` (in beforeEach) clears the values and restores that behaviour after a test overrode a command.
 */
export function fakeParameterStore() {
  const ssm = mockClient(SSMClient);
  const parameters = new Map<string, string>();
  const reset = () => {
    ssm.reset();
    parameters.clear();
    ssm.on(PutParameterCommand).callsFake((input) => {
      parameters.set(input.Name, input.Value);
      return { Version: 1 };
    });
    ssm.on(GetParameterCommand).callsFake((input) => ({ Parameter: { Name: input.Name, Value: parameters.get(input.Name) } }));
  };
  /** The value last written under `name`, parsed as JSON. */
  const published = <T>(name: string): T => JSON.parse(parameters.get(name)!);
  return { ssm, parameters, reset, published };
}
