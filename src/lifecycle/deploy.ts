/**
 * `storm deploy`: the deploy step alone, against what each stack's state says is
 * there (the stack must be provisioned).
 */
import type { DeployResult } from '../deploy/deploy';
import { deployCity } from '../deploy/deploy';
import type { DeployInput } from '../deploy/deploy-step';
import { StormError } from '../errors';
import type { LifecycleContext, StackOutcome, StackRef, TargetInfo } from './context';
import { runEach } from './fan-out';
import { prepareStack, rawOutputs } from './prepare';

export interface StackDeployResult<T> {
  city: string;
  env: string;
  target: TargetInfo;
  deploy: T;
}

/** `storm deploy`: a deploy step alone (`deploy`, richer than the lifecycle's), against what the stack's state says is there. */
export async function deployStacks<T>(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: { lockTimeout: string; service?: string },
  deployStep: (input: DeployInput) => Promise<T>,
): Promise<StackOutcome<StackDeployResult<T>>[]> {
  return runEach(ctx, refs, 1, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout);
    if (stack.state.resources.length === 0)
      throw new StormError(
        'not-found',
        `${stack.ref.city}/${stack.ref.env} is not provisioned: its state holds no resources`,
        { hint: `run \`storm provision ${stack.ref.city} --env ${stack.ref.env}\` first` },
      );
    const deploy = await deployStep({
      cwd: ctx.cwd,
      city: stack.resolved,
      credentials: stack.credentials,
      outputs: rawOutputs(stack.state),
      progress: ctx.progress,
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    return { city: stack.ref.city, env: stack.ref.env, target: stack.target, deploy };
  });
}
/** `storm deploy <cities>`: the deploy step alone on provisioned stacks. */
export function deployCities(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: { lockTimeout: string; service?: string; healthTimeoutMs?: number },
): Promise<StackOutcome<StackDeployResult<DeployResult>>[]> {
  const { healthTimeoutMs } = options;
  return deployStacks(ctx, refs, options, (input) =>
    deployCity(healthTimeoutMs === undefined ? input : { ...input, healthTimeoutMs }),
  );
}
