/**
 * What every command handler gets: the global flags and the Output. A handler
 * turns flags into one core call, renders the result and returns an exit code.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Output } from './output';

export interface GlobalOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  /** Project directory (holds stacks/, templates/, .storm/). */
  cwd: string;
}

export interface CliContext {
  globals(): GlobalOptions;
  output(): Output;
  /** Records which command runs, so a failure document names it. */
  setCommand(name: string): void;
  /** Handlers end by setting the exit code; nothing calls process.exit. */
  setExitCode(code: number): void;
}

/** A command module: adds one (sub)command to the program. */
export type CommandModule = (program: Command, ctx: CliContext) => void;

export function resolveCwd(flag: string | undefined): string {
  return path.resolve(flag ?? process.cwd());
}
