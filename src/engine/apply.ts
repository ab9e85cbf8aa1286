/**
 * Applies exactly a saved plan file and reports each resource as tofu finishes
 * it, from the `-json` UI stream.
 */
import type { Diagnostic } from '../errors';
import type { StackRun } from './plan';
import { interrupted, label, tofu, tofuFailure, withLockHolder } from './plan';
import { ApplyTally, parseUiLine } from './ui-stream';

export interface AppliedResource {
  address: string;
  action: string;
  elapsedSeconds: number;
  ok: boolean;
}

export interface ApplyOutcome {
  applied: AppliedResource[];
  durationMs: number;
}

/**
 * `total` is the number of resource changes in the plan (for the progress
 * counter). `locate` maps a resource address to its manifest line for errors.
 */
export async function applyPlanFile(
  run: StackRun,
  planFile: string,
  total: number,
  locate?: (address: string) => Diagnostic['location'],
  /**
   * Called with the creates that started but never completed when the run stops early
   * (interrupted, or failed — e.g. a 503 while the provider waited for a new resource,
   * after which it forgets the id it was given), so they can be adopted.
   */
  onUnfinishedCreates?: (unfinishedCreates: string[]) => Promise<void>,
): Promise<ApplyOutcome> {
  const tally = new ApplyTally(total);
  const unfinishedCreates = new Set<string>();
  const name = label(run);
  run.progress({ kind: 'counter', done: 0, total, label: name });
  const res = await tofu(run, ['apply', '-json', `-lock-timeout=${run.lockTimeout}`, planFile], (line) => {
    const ev = parseUiLine(line);
    if (ev === undefined) return;
    tally.apply(ev);
    switch (ev.type) {
      case 'apply_start':
        if (ev.action === 'create' || ev.action === 'replace') unfinishedCreates.add(ev.address);
        run.progress({ kind: 'resource', address: `${name} ${ev.address}`, action: ev.action, status: 'start' });
        return;
      case 'apply_complete':
      case 'apply_errored':
        if (ev.type === 'apply_complete') unfinishedCreates.delete(ev.address);
        run.progress({
          kind: 'resource',
          address: `${name} ${ev.address}`,
          action: ev.action,
          status: ev.type === 'apply_complete' ? 'done' : 'error',
          elapsedSeconds: ev.elapsedSeconds,
        });
        run.progress({ kind: 'counter', done: tally.done, total: Math.max(total, tally.done), label: name });
        return;
      default:
        return;
    }
  });
  const applied = tally.finished.map((f) => ({ ...f }));
  if (res.interrupted) {
    await onUnfinishedCreates?.([...unfinishedCreates].sort());
    throw interrupted(run, 'apply');
  }
  if (res.exitCode !== 0) {
    const failure = await withLockHolder(run, tofuFailure(run, 'apply', res, tally.diagnostics, locate));
    if (failure.code !== 'state-locked') await onUnfinishedCreates?.([...unfinishedCreates].sort());
    throw failure;
  }
  return { applied, durationMs: res.durationMs };
}
