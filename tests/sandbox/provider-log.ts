/**
 * Reads a `TF_LOG=DEBUG` log of terraform-provider-openstack (gophercloud's
 * request/response records) back into exchanges, so a test can validate every
 * body the provider received. Run tofu with `-parallelism=1` so records of
 * different requests do not interleave.
 */
export interface LoggedExchange {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Splits the log into records (a record starts with an ISO timestamp) and keeps the provider's DEBUG messages. */
function messages(log: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const line of log.split('\n')) {
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(line)) {
      if (current !== undefined) out.push(current);
      const i = line.indexOf('[DEBUG] OpenStack ');
      current =
        i >= 0 && line.includes('provider.terraform-provider-openstack')
          ? line.slice(i + '[DEBUG] '.length)
          : undefined;
    } else if (current !== undefined) {
      current += `\n${line}`;
    }
  }
  if (current !== undefined) out.push(current);
  // Each message ends with ": timestamp=<iso>" appended by the plugin logger.
  return out.map((m) => m.replace(/: timestamp=\S+\s*$/, ''));
}

export function parseProviderLog(log: string): LoggedExchange[] {
  const exchanges: LoggedExchange[] = [];
  let pending: { method: string; url: string; status?: number; headers: Record<string, string> } | undefined;
  const flush = (body: unknown): void => {
    if (pending?.status !== undefined)
      exchanges.push({
        method: pending.method,
        url: pending.url,
        status: pending.status,
        headers: pending.headers,
        body,
      });
  };
  for (const m of messages(log)) {
    const req = /^OpenStack Request URL: (\w+) (\S+)$/.exec(m);
    if (req) {
      // A previous exchange without a logged body (204, non-JSON): nothing to validate.
      pending = { method: req[1] ?? '', url: req[2] ?? '', headers: {} };
      continue;
    }
    if (!pending) continue;
    const code = /^OpenStack Response Code: (\d+)$/.exec(m);
    if (code) {
      pending.status = Number(code[1]);
      continue;
    }
    if (m.startsWith('OpenStack Response Headers:')) {
      for (const line of m.split('\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) pending.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      continue;
    }
    if (m.startsWith('OpenStack Response Body: ')) {
      const text = m.slice('OpenStack Response Body: '.length);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      flush(body);
      pending = undefined;
    }
  }
  return exchanges;
}
