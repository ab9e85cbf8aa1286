/** Every top-level command, in the order `storm --help` lists them. One line per module. */
import type { CommandModule } from '../context';

export const commandModules: CommandModule[] = [
];
