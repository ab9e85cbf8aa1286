/**
 * Shared by the attack tests: a canary outside the sandbox's data directory
 * (so a test can prove nothing there was written, read into an answer or
 * deleted), and an instance whose user data carries a storm service hint, booted
 * through the APIs the way storm's provision does it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { call, issueToken } from '../sandbox/helpers';
import { testReleaseKey } from '../support/release-key';

/** The release key the hints below name: pointers signed with it are storm's own. */
export const RELEASE_KEY = testReleaseKey();

export interface Canary {
  /** A directory beside the data directory, holding `file`. */
  dir: string;
  file: string;
  content: string;
  /** The canary file and its directory are exactly as created, and nothing else appeared beside the data directory. */
  untouched(): boolean;
}

/** A canary directory next to the data directory: `../canary/secret.txt` from it. */
export function plantCanary(root: string): Canary {
  const dir = path.join(root, 'canary');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'secret.txt');
  const content = `canary-${Math.random().toString(36).slice(2)}\n`;
  fs.writeFileSync(file, content);
  const before = fs.statSync(file).mtimeMs;
  return {
    dir,
    file,
    content,
    untouched: () =>
      fs.existsSync(file) &&
      fs.readFileSync(file, 'utf8') === content &&
      fs.statSync(file).mtimeMs === before &&
      fs.readdirSync(dir).join(',') === 'secret.txt',
  };
}

/** A temp root holding `data/` (the sandbox's data directory) and `canary/` beside it. */
export function sandboxRoot(): { root: string; dataDir: string; canary: Canary } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sec-'));
  const dataDir = path.join(root, 'data');
  return { root, dataDir, canary: plantCanary(root) };
}

/** Every entry below root, as relative paths, sorted (to see that nothing appeared outside the data directory). */
export function treeOf(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      out.push(path.relative(root, full));
      if (e.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out.sort();
}

/** A cloud-config user data carrying a storm service hint (deploy/cloud-init.ts's SANDBOX_HINT_PATH). */
export function hintUserData(hint: Record<string, unknown>): string {
  const doc = {
    write_files: [{ path: '/etc/storm/service.json', content: JSON.stringify(hint), permissions: '0644' }],
  };
  return Buffer.from(`#cloud-config\n${stringify(doc)}`).toString('base64');
}

export function serviceHint(artifactUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'storm/v1',
    kind: 'ServiceInstance',
    service: 'evil',
    template: 'evil',
    instance: 'evil-1',
    artifactUrl,
    entry: 'main.js',
    port: 8080,
    healthCheck: '/healthz',
    dataDir: '/var/lib/storm/evil',
    configFile: '/etc/storm/evil.json',
    config: { city: { name: 'c' }, environment: 'e' },
    releaseKey: RELEASE_KEY.publicKeyPem,
    ...extra,
  };
}

async function json(
  url: string,
  token: string,
  method: string,
  body: unknown,
): Promise<Record<string, Record<string, unknown>>> {
  const a = await call(url, { method, token, body: JSON.stringify(body) });
  if (a.status >= 300) throw new Error(`${method} ${url}: ${a.status} ${a.text}`);
  return a.json as Record<string, Record<string, unknown>>;
}

const networks = new Map<string, Promise<{ netId: string; publicId: string }>>();

/** One network routed to `public` per sandbox and project, made on first use (routers have a quota of 10). */
function routedNetwork(
  url: string,
  token: string,
  key: string,
  cidr: string,
): Promise<{ netId: string; publicId: string }> {
  let made = networks.get(key);
  if (made === undefined) {
    made = (async () => {
      const net = (await json(`${url}/networking/v2.0/networks`, token, 'POST', { network: { name: 'n' } })).network!;
      const subnet = (
        await json(`${url}/networking/v2.0/subnets`, token, 'POST', {
          subnet: { network_id: net.id, ip_version: 4, cidr },
        })
      ).subnet!;
      const nets = await call(`${url}/networking/v2.0/networks?name=public`, { token });
      const publicId = (nets.json as { networks: { id: string }[] }).networks[0]!.id;
      const router = (
        await json(`${url}/networking/v2.0/routers`, token, 'POST', {
          router: { name: 'r', external_gateway_info: { network_id: publicId } },
        })
      ).router!;
      await json(`${url}/networking/v2.0/routers/${String(router.id)}/add_router_interface`, token, 'PUT', {
        subnet_id: subnet.id,
      });
      return { netId: String(net.id), publicId };
    })();
    networks.set(key, made);
  }
  return made;
}

/**
 * Boots a server with this user data in the login's project, with a floating IP
 * (what makes the service runner consider it); returns the server id.
 */
export async function bootWithUserData(
  url: string,
  login: { user: string; password: string; project: string },
  userData: string,
): Promise<string> {
  const { token } = await issueToken(url, login.user, login.password, login.project);
  const { netId, publicId } = await routedNetwork(url, token, `${url} ${login.project}`, '10.90.0.0/24');
  const port = (await json(`${url}/networking/v2.0/ports`, token, 'POST', { port: { network_id: netId } })).port!;
  const images = await call(`${url}/image/v2/images?name=cirros-0.6`, { token });
  const imageRef = (images.json as { images: { id: string }[] }).images[0]!.id;
  const server = (
    await json(`${url}/compute/v2.1/servers`, token, 'POST', {
      server: { name: 'svc', flavorRef: '1', imageRef, networks: [{ port: port.id }], user_data: userData },
    })
  ).server!;
  await json(`${url}/networking/v2.0/floatingips`, token, 'POST', {
    floatingip: { floating_network_id: publicId, port_id: port.id },
  });
  return String(server.id);
}

/** Runner events (service 'runner') in the data directory's request log. */
export function runnerEvents(dataDir: string): { method: string; path: string; message: string }[] {
  const file = path.join(dataDir, 'requests.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"service":"runner"'))
    .map((l) => JSON.parse(l) as { method: string; path: string; message: string });
}

export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
