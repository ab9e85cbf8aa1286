// Speed for citizens (issue 15): each pilot's main page — its weight as
// transferred (document, headers and every same-origin subresource it
// names) and its p95 latency under 50 concurrent clients (autocannon, 5 s,
// loopback only). Each pilot runs as the sandbox's service runner runs it:
// the compiled app as a node process on a loopback address, with a fresh
// data directory seeded from the template.
/* global fetch */
import { Buffer } from 'node:buffer';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';
import { URL } from 'node:url';

const PILOTS = ['participa', 'urbanismo-en-red', 'virtual-city-marketplace'];
const CONNECTIONS = 50;
const SECONDS = 5;

function start(root, name, dataDir) {
  const entry = join(root, 'templates', name, 'dist', name, 'app', 'main.js');
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STORM_DATA_DIR: dataDir, STORM_SERVICE_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 10 s:\n${out}`)), 10_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
      }
    });
    child.stderr.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${out}`)));
  });
}

/** Bytes on the wire for one response: status line, headers and body (no compression is offered). */
async function transferred(url) {
  const res = await fetch(url, { headers: { 'accept-language': 'en' } });
  const body = Buffer.from(await res.arrayBuffer());
  let head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`;
  for (const [k, v] of res.headers) head += `${k}: ${v}\r\n`;
  return { bytes: Buffer.byteLength(head) + 2 + body.length, body: body.toString('utf8') };
}

async function pageWeight(url) {
  const page = await transferred(url);
  const refs = [...page.body.matchAll(/<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"/g)]
    .map((m) => new URL(m[1].replace(/&amp;/g, '&'), url))
    .filter((u) => u.origin === new URL(url).origin && !u.search.startsWith('?lang='));
  let bytes = page.bytes;
  for (const ref of new Set(refs.map(String))) bytes += (await transferred(ref)).bytes;
  return bytes;
}

function load(autocannon, url) {
  const latencies = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: SECONDS, headers: { 'accept-language': 'en' } },
      (err, result) => (err ? reject(err) : resolve({ result, latencies })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
    });
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'templates')],
    {
      stdio: 'inherit',
    },
  );
  const figures = [];
  for (const name of PILOTS) {
    const dataDir = mkdtempSync(join(tmpdir(), `storm-bench-${name}-`));
    const app = await start(root, name, dataDir);
    try {
      const url = `${app.url}/`;
      figures.push({
        name: `${name}: main page weight (document + subresources)`,
        value: Math.round((await pageWeight(url)) / 102.4) / 10,
        unit: 'KB',
        target: { op: '<=', value: 100 },
      });
      const { result, latencies } = await load(autocannon, url);
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
      figures.push({
        name: `${name}: main page p95 latency, ${CONNECTIONS} clients`,
        value: percentile(latencies, 95),
        unit: 'ms',
        target: { op: '<=', value: 50 },
      });
      figures.push({
        name: `${name}: main page requests/s, ${CONNECTIONS} clients`,
        value: result.requests.average,
        unit: 'req/s',
      });
    } finally {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return figures;
}
