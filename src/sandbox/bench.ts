/**
 * Benchmark building block for `npm run bench`: start-up time of the sandbox
 * process, token issue rate, GET rate (network list) and server create rate,
 * measured over HTTP against a real sandbox process on a free port.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnAttached } from './control';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: { op: '<=' | '>='; value: number };
}

interface Proc {
  url: string;
  readyMs: number;
  /** CPU the process spent until it listened (user + system), immune to other load on the machine. */
  cpuMs: number;
  stop(): Promise<void>;
}

/** Starts dist/sandbox/main.js and resolves when GET /identity/v3 answers 200. */
async function startProcess(mainJs: string, dataDir: string): Promise<Proc> {
  const t0 = process.hrtime.bigint();
  const child = spawnAttached(mainJs, ['--port', '0', '--data', dataDir, '--delay-ms', '0']);
  const { url, startupCpuMs } = await new Promise<{ url: string; startupCpuMs: number }>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as { url: string; startupCpuMs: number });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${String(code)}`)));
  });
  for (;;) {
    const r = await request(url, 'GET', '/identity/v3', undefined, {});
    if (r.status === 200) break;
  }
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    url,
    readyMs,
    cpuMs: startupCpuMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// Keep-alive, as real clients do; recreated per benchmark run.
let agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  base: string,
  method: string,
  p: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${p}`,
      { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Requests per second with `concurrency` requests in flight for `durationMs`. */
async function rate(durationMs: number, concurrency: number, one: () => Promise<boolean>): Promise<number> {
  let done = 0;
  let failed = 0;
  const end = Date.now() + durationMs;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if (await one()) done += 1;
        else failed += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (failed > 0 && done === 0) throw new Error(`every request failed (${failed})`);
  return done / seconds;
}

const AUTH = JSON.stringify({
  auth: {
    identity: {
      methods: ['password'],
      password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'admin' } },
    },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } },
  },
});

export async function benchmarkSandbox(opts: {
  mainJs: string;
  durationMs?: number;
  concurrency?: number;
}): Promise<BenchFigure[]> {
  const durationMs = opts.durationMs ?? 3000;
  const concurrency = opts.concurrency ?? 16;
  agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sbx-bench-'));
  const figures: BenchFigure[] = [];
  try {
    const cold = await startProcess(opts.mainJs, dir);
    figures.push({
      name: 'sandbox start-up to ready, empty data dir (seeding)',
      value: cold.readyMs / 1000,
      unit: 's',
      target: { op: '<=', value: 0.3 },
    });
    figures.push({ name: 'sandbox start-up CPU time, empty data dir', value: cold.cpuMs / 1000, unit: 's' });
    await cold.stop();
    const p = await startProcess(opts.mainJs, dir);
    figures.push({
      name: 'sandbox start-up to ready, existing data dir',
      value: p.readyMs / 1000,
      unit: 's',
      target: { op: '<=', value: 0.3 },
    });
    figures.push({ name: 'sandbox start-up CPU time, existing data dir', value: p.cpuMs / 1000, unit: 's' });
    try {
      const tokenRate = await rate(
        durationMs,
        concurrency,
        async () => (await request(p.url, 'POST', '/identity/v3/auth/tokens', AUTH, {})).status === 201,
      );
      figures.push({ name: 'sandbox token issue rate', value: tokenRate, unit: 'req/s' });
      const issued = await request(p.url, 'POST', '/identity/v3/auth/tokens', AUTH, {});
      const token = String(issued.headers['x-subject-token']);
      const projectId = (JSON.parse(issued.body) as { token: { project: { id: string } } }).token.project.id;
      const getRate = await rate(
        durationMs,
        concurrency,
        async () =>
          (await request(p.url, 'GET', '/networking/v2.0/networks', undefined, { 'x-auth-token': token })).status ===
          200,
      );
      figures.push({
        name: 'sandbox GET rate (network list)',
        value: getRate,
        unit: 'req/s',
        target: { op: '>=', value: 2000 },
      });
      await request(
        p.url,
        'PUT',
        `/compute/v2.1/os-quota-sets/${projectId}`,
        JSON.stringify({ quota_set: { instances: -1, cores: -1, ram: -1 } }),
        { 'x-auth-token': token },
      );
      const images = JSON.parse(
        (await request(p.url, 'GET', '/image/v2/images?name=cirros-0.6', undefined, { 'x-auth-token': token })).body,
      ) as { images: { id: string }[] };
      const server = JSON.stringify({
        server: { name: 'bench', flavorRef: '1', imageRef: images.images[0]?.id ?? '', networks: 'none' },
      });
      const createRate = await rate(
        durationMs,
        Math.min(concurrency, 8),
        async () =>
          (
            await request(p.url, 'POST', '/compute/v2.1/servers', server, {
              'x-auth-token': token,
              'openstack-api-version': 'compute 2.37',
            })
          ).status === 202,
      );
      figures.push({ name: 'sandbox server create rate', value: createRate, unit: 'req/s' });
    } finally {
      await p.stop();
    }
  } finally {
    agent.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
