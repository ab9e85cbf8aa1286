/**
 * storm's entry point: commander wiring, the one catch, exit codes.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, StormError, exitCodeFor, isStormError } from '../errors';
import { PRIVATE_UMASK } from '../private-files';
import { STORM_VERSION } from '../version';
import { commandModules } from './commands/index';
import { type CliContext, type CommandModule, type GlobalOptions, resolveCwd } from './context';
import { type CliIo, Output, colorWanted, commanderWriters, processIo } from './output';

export type { CliIo };

/** Global options that take a value, so the command name is found after them. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--cwd']);

/** The command a command line runs (first word that is not a global option), if any. */
export function invokedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** Loads the modules a command line needs: the invoked command's, or all of them (help, unknown command). */
async function commandsFor(args: readonly string[]): Promise<CommandModule[]> {
  const name = invokedCommand(args);
  const named = commandModules.filter((c) => c.name === name);
  const chosen = named.length > 0 && name !== 'help' ? named : commandModules;
  return Promise.all(chosen.map((c) => c.load()));
}

export function buildProgram(ctx: CliContext, modules: readonly CommandModule[], io: CliIo = processIo()): Command {
  const program = new Command('storm')
    .description("Turn a city's manifest (stacks/<city>.yaml) into a running OpenStack tenancy.")
    .version(STORM_VERSION, '-V, --version')
    .option('--json', 'print exactly one versioned JSON document on stdout (messages go to stderr)', false)
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('--verbose', 'show debug detail and stack traces', false)
    .option('--cwd <dir>', 'project directory holding stacks/ and templates/ (default: current directory)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput(commanderWriters(io));
  for (const register of modules) register(program, ctx);
  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // State, plans, the audit log and the sandbox database may hold secrets or tenancy
  // details: whatever storm and its children (tofu, the sandbox) create is 0600/0700.
  process.umask(PRIVATE_UMASK);
  let command = 'storm';
  let exitCode: number = ExitCode.ok;
  let output: Output | undefined;
  const holder: { program?: Command } = {};
  const ctx: CliContext = {
    globals(): GlobalOptions {
      const o = holder.program?.opts() ?? {};
      return {
        json: o.json === true,
        color: colorWanted(o.color as boolean | undefined, io.env, io.stdout),
        verbose: o.verbose === true,
        cwd: resolveCwd(o.cwd as string | undefined),
      };
    },
    output(): Output {
      output ??= new Output(ctx.globals(), io.stdout, io.stderr);
      return output;
    },
    setCommand(name: string): void {
      command = name;
    },
    setExitCode(code: number): void {
      exitCode = code;
    },
  };
  const program = buildProgram(ctx, await commandsFor(argv.slice(2)), io);
  holder.program = program;
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (err.exitCode === 0) return ExitCode.ok;
      const out = ctx.output();
      if (out.options.json)
        out.failure(command, new StormError('usage', err.message.replace(/^error: /, '')), ExitCode.error);
      return ExitCode.error;
    }
    const out = ctx.output();
    if (isStormError(err)) {
      const code = exitCodeFor(err.code);
      out.failure(command, err, code);
      if (out.options.verbose && err.stack !== undefined) out.debug(err.stack);
      return code;
    }
    const message = err instanceof Error ? err.message : String(err);
    out.failure(
      command,
      new StormError('internal', `internal error: ${message}`, {
        hint: 'this is a bug in storm; run again with --verbose and report the stack trace',
      }),
      ExitCode.error,
    );
    if (out.options.verbose && err instanceof Error && err.stack !== undefined) out.note(err.stack);
    return ExitCode.error;
  }
}
