/** Every top-level command, in the order `storm --help` lists them. One line per module. */
import type { CommandModule } from '../context';
import { doctorCommand } from './doctor';

export const commandModules: CommandModule[] = [
  doctorCommand,
];
