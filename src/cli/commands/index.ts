/** Every top-level command, in the order `storm --help` lists them. One line per module. */
import type { CommandModule } from '../context';
import { auditCommand } from './audit';
import { diffCommand } from './diff';
import { doctorCommand } from './doctor';
import { initCommand } from './init';
import { listCommand } from './list';
import { destroyCommand } from './destroy';
import { outputCommand } from './output';
import { planCommand } from './plan';
import { provisionCommand } from './provision';
import { statusCommand } from './status';
import { schemaCommand } from './schema';
import { sandboxCommand } from './sandbox';
import { synthCommand } from './synth';
import { templatesCommand } from './templates';
import { validateCommand } from './validate';

export const commandModules: CommandModule[] = [
  validateCommand,
  listCommand,
  schemaCommand,
  initCommand,
  synthCommand,
  templatesCommand,
  planCommand,
  provisionCommand,
  statusCommand,
  outputCommand,
  destroyCommand,
  auditCommand,
  diffCommand,
  doctorCommand,
  sandboxCommand,
];
