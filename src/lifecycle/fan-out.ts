/**
 * The fan-out over cities: each stack runs on its own, at most `concurrency` at
 * once, and one failure does not stop the others; each outcome is kept.
 */
import { StormError, isStormError } from '../errors';
import type { StackFailure, StackOutcome, StackRef } from './context';

/** Runs fn for every stack with at most `concurrency` at once; failures are kept, not thrown. */
export async function runEach<T>(
  ctx: { signal?: AbortSignal },
  refs: readonly StackRef[],
  concurrency: number,
  fn: (ref: StackRef) => Promise<T>,
): Promise<StackOutcome<T>[]> {
  const results: StackOutcome<T>[] = new Array<StackOutcome<T>>(refs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const ref = refs[i];
      if (ref === undefined) return;
      if (ctx.signal?.aborted === true) {
        results[i] = {
          city: ref.city,
          env: ref.env,
          ok: false,
          error: new StormError('interrupted', `${ref.city}/${ref.env}: not started, the run was interrupted`),
        };
        continue;
      }
      try {
        results[i] = { city: ref.city, env: ref.env, ok: true, value: await fn(ref) };
      } catch (err) {
        results[i] = { city: ref.city, env: ref.env, ok: false, error: asStormError(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, refs.length)) }, () => worker()));
  return results;
}

export function asStormError(err: unknown): StormError {
  if (isStormError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StormError('internal', `internal error: ${message}`, {
    cause: err,
    hint: 'this is a bug in storm; run again with --verbose',
  });
}

export function failureOf(error: StormError): StackFailure {
  return {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    diagnostics: [...error.diagnostics],
  };
}
