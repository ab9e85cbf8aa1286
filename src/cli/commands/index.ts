/**
 * Every top-level command, in the order `storm --help` lists them. One line per
 * module. Modules load lazily: a run loads only the command it executes (all of
 * them only for the top-level help), so `storm validate` does not pay for cdktf,
 * fastify or the engine at start-up.
 */
import type { CommandModule } from '../context';

export interface LazyCommand {
  name: string;
  load(): Promise<CommandModule>;
}

export const commandModules: readonly LazyCommand[] = [
  { name: 'validate', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'list', load: async () => (await import('./list.js')).listCommand },
  { name: 'schema', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'init', load: async () => (await import('./init.js')).initCommand },
  { name: 'import', load: async () => (await import('./import.js')).importCommand },
  { name: 'synth', load: async () => (await import('./synth.js')).synthCommand },
  { name: 'templates', load: async () => (await import('./templates.js')).templatesCommand },
  { name: 'plan', load: async () => (await import('./plan.js')).planCommand },
  { name: 'provision', load: async () => (await import('./provision.js')).provisionCommand },
  { name: 'deploy', load: async () => (await import('./deploy.js')).deployCommand },
  { name: 'status', load: async () => (await import('./status.js')).statusCommand },
  { name: 'output', load: async () => (await import('./output.js')).outputCommand },
  { name: 'destroy', load: async () => (await import('./destroy.js')).destroyCommand },
  { name: 'audit', load: async () => (await import('./audit.js')).auditCommand },
  { name: 'diff', load: async () => (await import('./diff.js')).diffCommand },
  { name: 'ci', load: async () => (await import('./ci.js')).ciCommand },
  { name: 'doctor', load: async () => (await import('./doctor.js')).doctorCommand },
  { name: 'sandbox', load: async () => (await import('./sandbox.js')).sandboxCommand },
];
