/**
 * Helpers of the lifecycle e2e tests: a temp project (stacks/ + templates/
 * copied), a private sandbox process and a small OpenStack reader to see what the sandbox holds.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { REPO_ROOT as ROOT } from '../support/storm';

export { ROOT };

export function makeProject(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `storm-${prefix}-`));
  fs.cpSync(path.join(ROOT, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`),
  });
  return dir;
}

export interface RunningSandbox {
  url: string;
  /** The random password of its user admin (<project>/.storm/sandbox/logins.json). */
  adminPassword: string;
  stop(): void;
}

/**
 * Starts the project's own sandbox (<project>/.storm/sandbox, any free port, short
 * status delays) the way storm does; storm's commands then find it running.
 */
export function startProjectSandbox(project: string, settings: { faults?: string } = {}): RunningSandbox {
  const control = JSON.stringify(path.join(ROOT, 'dist', 'sandbox', 'control.js'));
  const script = `require(${control}).ensureSandbox({ cwd: ${JSON.stringify(project)}, progress: () => {}, settings: ${JSON.stringify({ port: 0, statusDelayMs: 50, ...settings })} }).then((i) => process.stdout.write(JSON.stringify(i)))`;
  const info = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    url: string;
    logins: { admin: string };
  };
  return {
    url: info.url,
    adminPassword: info.logins.admin,
    stop: () => {
      execFileSync(process.execPath, [
        '-e',
        `require(${control}).stopSandbox({ cwd: ${JSON.stringify(project)}, progress: () => {} })`,
      ]);
    },
  };
}

/** Reads the sandbox as admin: a token, then GETs on its catalog endpoints. */
type Catalog = Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }>;

export class SandboxReader {
  private token = '';
  private catalog: Catalog = [];
  private readonly url: string;
  private readonly user = 'admin';
  private readonly password: string;
  constructor(sandbox: { url: string; adminPassword: string }) {
    this.url = sandbox.url;
    this.password = sandbox.adminPassword;
  }

  async login(): Promise<void> {
    const res = await fetch(`${this.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: this.user, domain: { name: 'Default' }, password: this.password } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`sandbox login: HTTP ${res.status}`);
    this.token = res.headers.get('x-subject-token') ?? '';
    this.catalog = ((await res.json()) as { token: { catalog: Catalog } }).token.catalog;
  }

  private endpoint(type: string): string {
    const svc = this.catalog.find((s) => s.type === type);
    const ep = svc?.endpoints.find((e) => e.interface === 'public');
    if (ep === undefined) throw new Error(`no ${type} endpoint`);
    return ep.url.replace(/\/+$/, '');
  }

  async request(method: string, type: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.endpoint(type)}${p}`, {
      method,
      headers: { 'X-Auth-Token': this.token, 'Content-Type': 'application/json', Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HTML or empty answer
    }
    return { status: res.status, body: parsed };
  }

  async get(type: string, p: string): Promise<Record<string, unknown>> {
    const r = await this.request('GET', type, p);
    if (r.status >= 400) throw new Error(`GET ${type} ${p}: HTTP ${r.status}`);
    return r.body as Record<string, unknown>;
  }

  /** Names of the sandbox's servers, networks, volumes, security groups and floating IPs starting with `prefix`. */
  async namesWithPrefix(prefix: string): Promise<string[]> {
    const names: string[] = [];
    const collect = (list: unknown, field = 'name'): void => {
      for (const item of Array.isArray(list) ? (list as Array<Record<string, unknown>>) : []) {
        const n = item[field];
        if (typeof n === 'string' && n.startsWith(prefix)) names.push(n);
      }
    };
    collect((await this.get('compute', '/servers')).servers);
    collect((await this.get('network', '/v2.0/networks')).networks);
    collect((await this.get('network', '/v2.0/security-groups')).security_groups);
    collect((await this.get('network', '/v2.0/ports')).ports);
    collect((await this.get('volumev3', '/volumes')).volumes);
    collect((await this.get('network', '/v2.0/routers')).routers);
    return names.sort();
  }
}

export function stateOf(
  project: string,
  city: string,
  env = 'preprod',
): { serial: number; resources: unknown[] } | undefined {
  const file = path.join(project, '.storm', 'state', city, env, 'terraform.tfstate');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { serial: number; resources: unknown[] };
}

/** Every file under dir, recursively (for secret scans). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
