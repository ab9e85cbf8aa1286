/**
 * The one error type storm's core throws. The CLI catches it once (cli/main.ts)
 * and renders code, message, hint and diagnostics; anything else is a bug and is
 * shown with its stack only under --verbose.
 */
import type { DiagnosticCode } from './diagnostic-codes';

export type Severity = 'error' | 'warning' | 'info';

/** A source position inside a file storm read (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One finding about user input: what, where and how to fix. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. "manifest.unknown-key" (the registry: diagnostic-codes.ts). */
  code: DiagnosticCode;
  message: string;
  /** Dotted path inside the document, e.g. "compute.web.flavour". */
  path?: string;
  location?: SourceLocation;
  hint?: string;
}

/** Closed set of error codes; each maps to one exit code. */
export type StormErrorCode =
  | 'usage'
  | 'not-found'
  | 'invalid-manifest'
  | 'engine-missing'
  | 'engine-failed'
  | 'cloud'
  | 'preflight'
  | 'policy-violation'
  | 'interrupted'
  | 'state-locked'
  | 'stale-plan'
  | 'confirmation-required'
  | 'sandbox'
  | 'deploy'
  | 'audit-tampered'
  | 'internal';

export class StormError extends Error {
  readonly code: StormErrorCode;
  readonly hint: string | undefined;
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    code: StormErrorCode,
    message: string,
    options: { hint?: string; diagnostics?: readonly Diagnostic[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StormError';
    this.code = code;
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
  }
}

export function isStormError(value: unknown): value is StormError {
  return value instanceof StormError;
}

/** Exit codes are part of storm's contract (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  error: 1,
  changesPending: 2,
  policyViolation: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(code: StormErrorCode): ExitCode {
  switch (code) {
    case 'policy-violation':
      return ExitCode.policyViolation;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'usage':
    case 'not-found':
    case 'invalid-manifest':
    case 'engine-missing':
    case 'engine-failed':
    case 'cloud':
    case 'preflight':
    case 'state-locked':
    case 'stale-plan':
    case 'confirmation-required':
    case 'sandbox':
    case 'deploy':
    case 'audit-tampered':
    case 'internal':
      return ExitCode.error;
  }
}

/** Formats a location the way editors and CI annotators parse it: file:line:col. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}
