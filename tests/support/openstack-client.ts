/**
 * The standard OpenStack clients (Debian's python3-openstackclient, and the nova and cinder clients
 * installed with it) run against a sandbox, asynchronously: the sandbox may answer from this process.
 */
import { spawn } from 'node:child_process';

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SandboxUser {
  username: string;
  password: string;
  project: string;
}

/** The client's environment for a sandbox user: nothing else of this machine's OS_* or clouds.yaml. */
export function clientEnv(url: string, user: SandboxUser, home = process.env.HOME): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    OS_AUTH_URL: `${url}/identity/v3`,
    OS_USERNAME: user.username,
    OS_PASSWORD: user.password,
    OS_PROJECT_NAME: user.project,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_IDENTITY_API_VERSION: '3',
    OS_INTERFACE: 'public',
  };
}

/** Runs one client command; never throws for a non-zero exit (the caller asserts on it). */
export function runClient(
  program: 'openstack' | 'nova' | 'cinder' | 'swift',
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs one client command and returns its stdout; a non-zero exit is an error naming the command. */
export async function clientOutput(
  program: 'openstack' | 'nova' | 'cinder' | 'swift',
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const r = await runClient(program, args, env);
  if (r.code !== 0) throw new Error(`${program} ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
  return r.stdout;
}
