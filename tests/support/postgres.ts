/**
 * A private, real PostgreSQL server for tests: initdb into a temp dir as the
 * `postgres` OS user (initdb refuses root), listening on a free loopback port,
 * trust auth, stopped and deleted by stop().
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './net';
import { postgresBinDirs } from './prepare';
import { findProgram } from './prepare-machine';

export interface TestPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): void;
}

/** PostgreSQL's server programs (Debian keeps them off PATH, under /usr/lib/postgresql/<major>/bin). */
function pgBin(name: string): string {
  let majors: string[] = [];
  try {
    majors = fs.readdirSync('/usr/lib/postgresql');
  } catch {
    // not installed from Debian's packages: PATH may still have it
  }
  const found = findProgram(name, process.env, postgresBinDirs(majors));
  // The global setup installs PostgreSQL (or stops the run) before any test, so this is a broken machine.
  if (found === undefined) throw new Error(`PostgreSQL's ${name} not found: apt-get install -y postgresql`);
  return found;
}

/** Runs a PostgreSQL tool as the postgres user when storm's tests run as root. */
function asPostgres(bin: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? 'runuser' : bin;
  const argv = asRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgres(database = 'storm'): Promise<TestPostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  fs.mkdirSync(socketDir);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(root, uid, gid);
    fs.chownSync(socketDir, uid, gid);
  }
  const port = await freePort();
  asPostgres(pgBin('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  asPostgres(pgBin('pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    path.join(root, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  asPostgres(pgBin('createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}?sslmode=disable`,
    port,
    dataDir,
    stop(): void {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres(pgBin('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
