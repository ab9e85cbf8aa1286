/**
 * Live apply progress as text: a bar with counts and elapsed time for a TTY,
 * one line per finished resource otherwise.
 */
import { Chalk } from 'chalk';

export interface BarState {
  label: string;
  done: number;
  total: number;
  elapsedSeconds: number;
  /** A resource still being worked on, shown after the bar. */
  current?: string;
}

export function renderProgressBar(state: BarState, options: { color: boolean; width?: number }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const width = options.width ?? 24;
  const ratio = state.total <= 0 ? 1 : Math.min(1, state.done / state.total);
  const filled = Math.round(ratio * width);
  const bar = `${chalk.green('█'.repeat(filled))}${chalk.dim('░'.repeat(width - filled))}`;
  const current = state.current === undefined ? '' : chalk.dim(` ${truncate(state.current, 48)}`);
  return `${state.label} [${bar}] ${state.done}/${state.total} ${formatElapsed(state.elapsedSeconds)}${current}`;
}

export function renderFinishedLine(
  r: { address: string; action: string; ok: boolean; elapsedSeconds: number },
  options: { color: boolean },
): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const mark = r.ok ? chalk.green('✓') : chalk.red('✗');
  return `  ${mark} ${r.address} ${r.ok ? (PAST[r.action] ?? r.action) : `${r.action} FAILED`} (${formatElapsed(r.elapsedSeconds)})`;
}

const PAST: Record<string, string> = {
  create: 'created',
  update: 'updated',
  replace: 'replaced',
  delete: 'deleted',
  read: 'read',
};

export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
