/**
 * The core never prints: long-running work reports what it is doing through a
 * Progress sink that the CLI (cli/output.ts) renders on stderr.
 */
export type ProgressEvent =
  | { kind: 'step'; message: string }
  | { kind: 'detail'; message: string }
  | { kind: 'warning'; message: string }
  | {
      kind: 'resource';
      address: string;
      action: string;
      status: 'start' | 'done' | 'error';
      elapsedSeconds?: number;
      message?: string;
    }
  | { kind: 'counter'; done: number; total: number; label: string };

export type Progress = (event: ProgressEvent) => void;

/** A sink that drops everything, for callers that do not care. */
export const silentProgress: Progress = () => undefined;
