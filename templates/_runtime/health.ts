/**
 * /healthz: 200 {status:"ok", service, version, checks} when every check
 * passes, 503 with the failing check's error otherwise. The storage check
 * writes, fsyncs and reads back a probe file on the data volume, so a
 * read-only or full volume shows up here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CheckResult {
  status: 'ok' | 'fail';
  error?: string;
  [detail: string]: unknown;
}

export type Check = () => CheckResult;

export function storageCheck(dataDir: string, dataFile: string): Check {
  return () => {
    try {
      const probe = path.join(dataDir, '.healthz-probe');
      const stamp = String(Date.now());
      const fd = fs.openSync(probe, 'w');
      try {
        fs.writeFileSync(fd, stamp);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      if (fs.readFileSync(probe, 'utf8') !== stamp)
        return { status: 'fail', error: 'probe file read back different bytes' };
      fs.accessSync(dataFile, fs.constants.R_OK | fs.constants.W_OK);
      return { status: 'ok', dataDir };
    } catch (err) {
      return { status: 'fail', dataDir, error: err instanceof Error ? err.message : String(err) };
    }
  };
}

export function healthReport(
  service: string,
  version: string,
  checks: Record<string, Check>,
): { httpStatus: number; body: Record<string, unknown> } {
  const results: Record<string, CheckResult> = {};
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    const r = check();
    results[name] = r;
    if (r.status !== 'ok') ok = false;
  }
  return { httpStatus: ok ? 200 : 503, body: { status: ok ? 'ok' : 'fail', service, version, checks: results } };
}
