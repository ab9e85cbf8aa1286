/**
 * Checks every JSON answer a sandbox recorded against ../shared/openstack-api
 * with the validator the sandbox tests use (tests/sandbox/openapi.ts; Nova and
 * Cinder at the microversion they announced), whose exception table is the
 * one SPEC.md documents.
 *
 * Success answers must match their operation's schema. Error answers are
 * checked where the file documents that status for the operation; where it
 * does not (the files list few error codes) they are counted as undocumented.
 */
import type { ServiceType } from '../../../src/sandbox/core/context';
import type { RecordedResponse } from '../../../src/sandbox/server';
import { type ApiService, validateResponse } from '../../sandbox/openapi';

/** Barbican has no OpenAPI file in ../shared/openstack-api: its answers are checked by its own tests. */
const API_OF: Record<ServiceType, ApiService | undefined> = {
  identity: 'identity',
  compute: 'compute',
  network: 'network',
  volumev3: 'volume',
  image: 'image',
  'object-store': 'object-store',
  'load-balancer': 'load-balancer',
  dns: 'dns',
  'key-manager': undefined,
};

export interface ServiceTally {
  checked: number;
  violations: number;
  /** Error answers whose status the file does not document for the operation. */
  undocumentedErrors: number;
}

export interface ResponseCheck {
  total: number;
  byService: Partial<Record<ApiService, ServiceTally>>;
  /** One line per distinct violation: `<service> <METHOD> <path> <status>: <errors>`. */
  violations: string[];
}

function violationOf(r: RecordedResponse, api: ApiService): { errors: string[]; path: string } | undefined {
  // Nova and Cinder answers follow the schema variant of the microversion they announced.
  const v = validateResponse(api, r.method, r.path, r.status, r.body, r.apiVersion?.split(' ')[1]);
  return v === undefined
    ? undefined
    : {
        errors: v.microversion === undefined ? v.errors : v.errors.map((e) => `${e} @${v.microversion}`),
        path: v.path,
      };
}

const UNDOCUMENTED = /^status \d+ is not documented/;

export function checkRecordedResponses(recorded: readonly RecordedResponse[]): ResponseCheck {
  const byService: Partial<Record<ApiService, ServiceTally>> = {};
  const violations = new Set<string>();
  let total = 0;
  for (const r of recorded) {
    if (r.service === undefined) continue;
    const api = API_OF[r.service];
    if (api === undefined) continue;
    const tally = (byService[api] ??= { checked: 0, violations: 0, undocumentedErrors: 0 });
    const v = violationOf(r, api);
    if (r.status >= 400 && v !== undefined && v.errors.every((e) => UNDOCUMENTED.test(e))) {
      tally.undocumentedErrors += 1;
      continue;
    }
    total += 1;
    tally.checked += 1;
    if (v === undefined) continue;
    tally.violations += 1;
    // Ids differ per answer; one line per templated shape is enough to act on.
    const shape = v.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g, '{id}');
    violations.add(`${api} ${r.method} ${shape} ${r.status}: ${v.errors.slice(0, 4).join('; ')}`);
  }
  return { total, byService, violations: [...violations].sort() };
}

/** A few lines for the test log: answers checked and violations per service. */
export function renderResponseCheck(label: string, c: ResponseCheck): string {
  const rows = Object.entries(c.byService)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([s, t]) =>
        `  ${s.padEnd(13)} ${String(t.checked).padStart(5)} checked, ${t.violations} violations${t.undocumentedErrors > 0 ? `, ${t.undocumentedErrors} error answers with a status the file does not list` : ''}`,
    );
  return [
    `${label}: ${c.total} JSON answers validated against ../shared/openstack-api, ${c.violations.length} distinct violations`,
    ...rows,
  ].join('\n');
}
