/**
 * The one place that touches stdout, stderr and the TTY. With --json, stdout
 * carries exactly one versioned document (success or failure); everything else
 * goes to stderr. Everything written passes through the one redaction of
 * src/redact.ts, so no secret storm knows reaches a terminal or a CI log.
 */
import * as readline from 'node:readline';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Diagnostic } from '../errors';
import { StormError, formatLocation } from '../errors';
import type { Progress, ProgressEvent } from '../progress';
import { redactText, redactValue } from '../redact';

export const JSON_SCHEMA_VERSION = 1;

export interface OutputOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
}

export interface JsonSuccess {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  command: string;
  ok: boolean;
  exitCode: number;
  result: unknown;
}

export interface JsonFailure {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  command: string;
  ok: false;
  exitCode: number;
  error: { code: string; message: string; hint?: string; diagnostics: Diagnostic[] };
}

/** What Output writes to: the process's stdout/stderr, or a test's in-memory stream. */
export type OutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** Whether a stream wants colour (the flag, NO_COLOR/FORCE_COLOR, else whether it is a terminal). */
export function colorWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv, stream: OutputStream): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Where a run writes and the environment it reads colour settings from: the process's own, or a test's. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Commander's writers (help, version, usage errors), which run before any Output exists. */
export function commanderWriters(io: CliIo): { writeOut(s: string): void; writeErr(s: string): void } {
  return { writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) };
}

export class Output {
  readonly options: OutputOptions;
  readonly chalk: ChalkInstance;
  private resultWritten = false;

  constructor(
    options: OutputOptions,
    private readonly stdout: OutputStream = process.stdout,
    private readonly stderr: OutputStream = process.stderr,
  ) {
    this.options = options;
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
  }

  /** True when a human can answer a prompt and see live progress. */
  get interactive(): boolean {
    return this.stderr.isTTY === true && process.stdin.isTTY === true && !isCi(process.env);
  }

  get stderrIsTTY(): boolean {
    return this.stderr.isTTY === true && !isCi(process.env);
  }

  /** Human-readable text for stdout; suppressed under --json (the document is the output). */
  text(content: string): void {
    if (this.options.json) return;
    if (content.length === 0) return;
    const safe = redactText(content);
    this.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** Messages about the run (progress, notices) always go to stderr. */
  note(message: string): void {
    const safe = redactText(message);
    this.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  warn(message: string): void {
    this.note(this.chalk.yellow(`warning: ${message}`));
  }

  debug(message: string): void {
    if (this.options.verbose) this.note(this.chalk.dim(message));
  }

  /**
   * Asks a person at the terminal (stdin, the question on stderr). Ctrl-C or the end of
   * input answers with the empty string.
   */
  async ask(question: string): Promise<string> {
    const rl = readline.createInterface({ input: process.stdin, output: this.stderr, terminal: true });
    try {
      return await new Promise<string>((resolve) => {
        rl.once('SIGINT', () => resolve(''));
        rl.once('close', () => resolve(''));
        rl.question(question, resolve);
      });
    } finally {
      rl.close();
    }
  }

  /** Writes raw bytes to stderr (live progress lines, carriage returns). */
  rawStderr(chunk: string): void {
    this.stderr.write(redactText(chunk));
  }

  progress: Progress = (event: ProgressEvent) => {
    switch (event.kind) {
      case 'step':
        this.note(this.chalk.cyan(`» ${event.message}`));
        return;
      case 'detail':
        if (this.options.verbose) this.note(this.chalk.dim(`  ${event.message}`));
        return;
      case 'warning':
        this.warn(event.message);
        return;
      case 'resource': {
        if (event.status === 'start') return;
        const took = event.elapsedSeconds === undefined ? '' : ` (${event.elapsedSeconds}s)`;
        const mark = event.status === 'done' ? this.chalk.green('✓') : this.chalk.red('✗');
        const extra = event.message === undefined ? '' : `: ${event.message}`;
        this.note(`  ${mark} ${event.address} ${event.action}${took}${extra}`);
        return;
      }
      case 'counter':
        if (this.stderrIsTTY)
          this.rawStderr(`\r  ${event.label} ${event.done}/${event.total}${event.done === event.total ? '\n' : ''}`);
        return;
    }
  };

  /** The JSON document of a command that ran to its end (even when exitCode is not 0). */
  jsonResult(command: string, exitCode: number, result: unknown): void {
    if (!this.options.json || this.resultWritten) return;
    this.resultWritten = true;
    const doc: JsonSuccess = {
      schemaVersion: JSON_SCHEMA_VERSION,
      command,
      ok: exitCode === 0 || exitCode === 2,
      exitCode,
      result,
    };
    this.stdout.write(`${JSON.stringify(redactValue(doc), null, 2)}\n`);
  }

  /** Renders a failure: the JSON document under --json, else a message on stderr. */
  failure(command: string, error: StormError, exitCode: number): void {
    if (this.options.json && !this.resultWritten) {
      this.resultWritten = true;
      const doc: JsonFailure = {
        schemaVersion: JSON_SCHEMA_VERSION,
        command,
        ok: false,
        exitCode,
        error: {
          code: error.code,
          message: error.message,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
          diagnostics: [...error.diagnostics],
        },
      };
      this.stdout.write(`${JSON.stringify(redactValue(doc), null, 2)}\n`);
    }
    for (const d of error.diagnostics) this.note(this.renderDiagnostic(d));
    this.note(`${this.chalk.red('error:')} ${error.message}`);
    if (error.hint !== undefined) this.note(`${this.chalk.dim('hint:')} ${error.hint}`);
  }

  renderDiagnostic(d: Diagnostic): string {
    const where = d.location === undefined ? '' : `${formatLocation(d.location)}  `;
    const color =
      d.severity === 'error' ? this.chalk.red : d.severity === 'warning' ? this.chalk.yellow : this.chalk.blue;
    const path = d.path === undefined || d.path === '' ? '' : `${d.path}: `;
    const hint = d.hint === undefined ? '' : ` — ${d.hint}`;
    return `${where}${color(d.severity)} ${path}${d.message}${hint}`;
  }
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}
