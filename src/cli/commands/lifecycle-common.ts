/**
 * What plan, provision, destroy, status and output share: turning arguments into
 * stacks, the live progress renderer, the confirmation prompt and exit codes.
 */
import type { Command } from 'commander';
import { ExitCode, StormError, exitCodeFor } from '../../errors';
import { defaultLifecycleDeps } from '../../lifecycle/deps';
import type { LifecycleContext, StackOutcome, StackRef } from '../../lifecycle/context';
import type { SelectionFlags } from '../../lifecycle/selection';
import { addSelectionOptions, selectForRun } from './selection-options';
import { DEFAULT_ENVIRONMENT } from '../../manifest/model';
import type { Progress } from '../../progress';
import { renderFinishedLine, renderProgressBar } from '../../report/progress';
import type { CliContext } from '../context';
import type { Output } from '../output';

export interface StackSelection extends SelectionFlags {
  env?: string;
}

/** fleet false (destroy): no --shard or --changed-since, a destroy names what it removes. */
export function addStackOptions(cmd: Command, fleet = true): Command {
  return addSelectionOptions(cmd, fleet).option(
    '--env <env>',
    `environment (default: ${DEFAULT_ENVIRONMENT}; production is always named explicitly)`,
  );
}

export async function selectStacks(
  out: Output,
  cwd: string,
  cities: readonly string[],
  sel: StackSelection,
): Promise<StackRef[]> {
  const env = sel.env ?? DEFAULT_ENVIRONMENT;
  const selection = await selectForRun(out, cwd, cities, sel);
  return selection.cities.map((city) => ({ city, env }));
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--concurrency <n>', 'how many cities run at once', '2')
    .option('--lock-timeout <duration>', 'how long to wait for a state lock held by another run (e.g. 30s, 2m)', '30s');
}

export function parseConcurrency(value: string | undefined): number {
  const n = Number(value ?? '2');
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new StormError('usage', `--concurrency must be a whole number from 1 to 32, not "${String(value)}"`);
  return n;
}

export function parseLockTimeout(value: string | undefined): string {
  const v = value ?? '30s';
  if (!/^\d+(ms|s|m|h)$/.test(v))
    throw new StormError('usage', `--lock-timeout must be a duration like 30s or 2m, not "${v}"`);
  return v;
}

/**
 * Progress on a TTY: one bar for all running stacks (counts and elapsed time),
 * finished resources printed above it. Without a TTY: one line per resource.
 */
export function liveProgress(out: Output): Progress {
  if (!out.stderrIsTTY) {
    return (event) => {
      if (event.kind !== 'resource') return out.progress(event);
      if (event.status === 'start') return;
      out.note(
        renderFinishedLine(
          {
            address: event.address,
            action: event.action,
            ok: event.status === 'done',
            elapsedSeconds: event.elapsedSeconds ?? 0,
          },
          { color: out.options.color },
        ),
      );
    };
  }
  const started = Date.now();
  const counters = new Map<string, { done: number; total: number }>();
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) out.rawStderr('\r\x1b[2K');
    barShown = false;
  };
  const drawBar = (current?: string): void => {
    let done = 0;
    let total = 0;
    for (const c of counters.values()) {
      done += c.done;
      total += c.total;
    }
    if (total === 0) return;
    out.rawStderr(
      `\r\x1b[2K${renderProgressBar({ label: 'progress', done, total, elapsedSeconds: (Date.now() - started) / 1000, ...(current === undefined ? {} : { current }) }, { color: out.options.color })}`,
    );
    barShown = true;
  };
  return (event) => {
    switch (event.kind) {
      case 'counter': {
        counters.set(event.label, { done: event.done, total: event.total });
        clearBar();
        drawBar();
        const all = [...counters.values()];
        if (all.length > 0 && all.every((c) => c.done >= c.total && c.total > 0)) {
          // Finished: leave the full bar on its own line for what follows.
          out.rawStderr('\n');
          barShown = false;
          counters.clear();
        }
        return;
      }
      case 'resource':
        if (event.status === 'start') {
          clearBar();
          drawBar(event.address);
          return;
        }
        clearBar();
        out.note(
          renderFinishedLine(
            {
              address: event.address,
              action: event.action,
              ok: event.status === 'done',
              elapsedSeconds: event.elapsedSeconds ?? 0,
            },
            { color: out.options.color },
          ),
        );
        drawBar();
        return;
      default:
        clearBar();
        out.progress(event);
        drawBar();
        return;
    }
  };
}

export function lifecycleContext(ctx: CliContext, progress: Progress): LifecycleContext {
  return { cwd: ctx.globals().cwd, env: process.env, progress, deps: defaultLifecycleDeps() };
}

/**
 * The confirmation rule: --yes approves; otherwise a person at a TTY must type
 * "yes"; with no TTY (or --json) storm refuses and changes nothing.
 */
export async function confirmOrRefuse(out: Output, yes: boolean, question: string, verb: string): Promise<boolean> {
  if (yes) return true;
  if (!out.interactive || out.options.json) {
    throw new StormError(
      'confirmation-required',
      `refusing to ${verb} without confirmation: no terminal to ask on, and --yes was not given; nothing was changed`,
      {
        hint: 'review the plan above, then run again with --yes (CI: `storm plan --out`, then `storm provision --plan <file> --yes`)',
      },
    );
  }
  // Ctrl-C at the prompt (an empty answer) is a "no": nothing has been changed yet.
  const answer = await out.ask(`${question} Only "yes" is accepted: `);
  return answer.trim() === 'yes';
}

/** 0 when every stack succeeded; the failure's own code for one stack; 1 (130 if interrupted) for several. */
export function exitCodeOf(outcomes: readonly StackOutcome<unknown>[]): number {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
  if (failures.length === 0) return ExitCode.ok;
  if (failures.some((f) => f.code === 'interrupted')) return ExitCode.interrupted;
  if (failures.length === 1 && outcomes.length === 1 && failures[0] !== undefined) return exitCodeFor(failures[0].code);
  return ExitCode.error;
}

/** A single failing stack ends the run through the one catch (so its diagnostics render as usual). */
export function throwIfSingleFailure(outcomes: readonly StackOutcome<unknown>[]): void {
  const only = outcomes[0];
  if (outcomes.length === 1 && only !== undefined && !only.ok) throw only.error;
}

/** Renders failures of a multi-stack run on stderr (the table says which failed). */
export function reportFailures(out: Output, outcomes: readonly StackOutcome<unknown>[]): void {
  if (outcomes.length < 2) return;
  for (const o of outcomes) {
    if (o.ok) continue;
    for (const d of o.error.diagnostics) out.note(out.renderDiagnostic(d));
    out.note(`${out.chalk.red(`${o.city}/${o.env}:`)} ${o.error.message}`);
    if (o.error.hint !== undefined) out.note(`${out.chalk.dim('hint:')} ${o.error.hint}`);
  }
}
