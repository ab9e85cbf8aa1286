import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/manifest/files';
import { validateParsed, validateManifests } from '../../src/manifest/validate';

const root = path.join(__dirname, '..', '..');
const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

function findings(name: string): {
  at: string;
  code: string;
  path: string | undefined;
  message: string;
  hint: string | undefined;
  severity: string;
}[] {
  const result = validateParsed(readManifest(fixture(name), root), { cwd: root });
  return result.diagnostics.map((d) => ({
    at: d.location === undefined ? '' : `${d.location.line}:${d.location.column}`,
    code: d.code,
    path: d.path,
    message: d.message,
    hint: d.hint,
    severity: d.severity,
  }));
}

describe('validateParsed on the broken corpus (one problem each)', () => {
  const cases: [file: string, at: string, code: string, path: string, message: RegExp, hint?: RegExp][] = [
    [
      'broken-unknown-key.yaml',
      '43:7',
      'manifest.unknown-key',
      'compute.groups[0].flavour',
      /^unknown key$/,
      /did you mean "flavor"\?/,
    ],
    [
      'broken-wrong-type.yaml',
      '45:14',
      'manifest.wrong-type',
      'compute.groups[0].count',
      /expected a whole number, got the string "one"/,
    ],
    [
      'broken-port-out-of-range.yaml',
      '36:55',
      'manifest.port-out-of-range',
      'security.groups[1].rules[0].ports',
      /"5432-70000" is out of range \(1\.\.65535\)/,
    ],
    [
      'broken-reversed-port-range.yaml',
      '36:55',
      'manifest.port-range-reversed',
      'security.groups[1].rules[0].ports',
      /starts after it ends/,
      /did you mean "5432-5440"/,
    ],
    [
      'broken-overlapping-subnets.yaml',
      '26:13',
      'manifest.overlapping-subnets',
      'network.subnets[1].cidr',
      /overlaps subnet "web" \(10\.50\.1\.0\/24\)/,
    ],
    ['broken-duplicate-key.yaml', '46:7', 'manifest.duplicate-key', 'compute.groups[0].image', /duplicate key "image"/],
    [
      'broken-subnet-outside-network.yaml',
      '26:13',
      'manifest.subnet-outside-network',
      'network.subnets[1].cidr',
      /not inside the network 10\.50\.0\.0\/16/,
    ],
    [
      'broken-pool-outside-subnet.yaml',
      '24:11',
      'manifest.pool-outside-subnet',
      'network.subnets[0].allocationPools[0]',
      /10\.50\.1\.10-10\.50\.2\.100 is not inside/,
    ],
    [
      'broken-unknown-subnet.yaml',
      '46:15',
      'manifest.unknown-reference',
      'compute.groups[0].subnet',
      /unknown subnet "wbe"/,
      /did you mean "web"\?/,
    ],
    [
      'broken-unknown-security-group.yaml',
      '36:76',
      'manifest.unknown-reference',
      'security.groups[1].rules[0].remoteGroup',
      /unknown security group "frontend"/,
      /known security groups: web, data/,
    ],
    [
      'broken-unknown-template.yaml',
      '67:15',
      'manifest.unknown-template',
      'services[0].template',
      /unknown template "urbanismo-en-rde"/,
      /did you mean "urbanismo-en-red"\?/,
    ],
    [
      'broken-unknown-container.yaml',
      '65:22',
      'manifest.unknown-reference',
      'partners[0].access[0].container',
      /unknown container "docs"/,
      /known containers: documents/,
    ],
    [
      'broken-duplicate-name.yaml',
      '49:13',
      'manifest.duplicate-name',
      'compute.groups[1].name',
      /duplicate compute group name "web" \(already used by compute\.groups\[0\]\)/,
    ],
    [
      'broken-production-no-anti-affinity.yaml',
      '78:23',
      'manifest.production-without-anti-affinity',
      'environments.production.compute.groups.web.count',
      /in production, compute group "web" runs 2 instances without anti-affinity/,
      /antiAffinity: true/,
    ],
    [
      'broken-host-bits.yaml',
      '19:9',
      'manifest.invalid-cidr',
      'network.cidr',
      /"10\.50\.0\.1\/16" has host bits set/,
      /did you mean "10\.50\.0\.0\/16"\?/,
    ],
    [
      'broken-invalid-cidr.yaml',
      '26:13',
      'manifest.invalid-value',
      'network.subnets[1].cidr',
      /invalid value "10\.50\.256\.0\/24"/,
      /CIDR/,
    ],
    [
      'broken-unknown-override.yaml',
      '79:9',
      'manifest.unknown-override',
      'environments.production.compute.groups.wbe',
      /overrides an unknown compute group "wbe"/,
      /did you mean "web"\?/,
    ],
    [
      'broken-missing-production.yaml',
      '74:3',
      'manifest.missing-key',
      'environments',
      /missing required key "production"/,
    ],
    [
      'broken-bad-country.yaml',
      '7:12',
      'manifest.invalid-value',
      'city.country',
      /"es" is not an allowed value/,
      /did you mean "ES"\?/,
    ],
    [
      'broken-bad-remote.yaml',
      '32:68',
      'manifest.invalid-value',
      'security.groups[0].rules[0].remote',
      /invalid value "everyone"/,
      /a CIDR, or "admin"/,
    ],
    [
      'broken-bad-state-backend.yaml',
      '72:12',
      'manifest.invalid-value',
      'state.backend',
      /"lokal" is not one of "local", "pg", "s3", "http"/,
      /did you mean "local"\?/,
    ],
    [
      'broken-bad-template-parameter.yaml',
      '70:18',
      'service.parameters.invalid-value',
      'services[0].parameters.districts',
      /urbanismo-en-red: needs at least 1 entry/,
    ],
    ['broken-yaml-syntax.yaml', '6:16', 'manifest.yaml-syntax', '', /YAML syntax error/],
    [
      'broken-ports-on-icmp.yaml',
      '33:56',
      'manifest.ports-without-protocol',
      'security.groups[0].rules[1].ports',
      /ports apply to tcp and udp only, not to icmp/,
    ],
    [
      'broken-volume-unknown.yaml',
      '54:17',
      'manifest.unknown-reference',
      'compute.groups[1].volumes[0]',
      /unknown volume "pg-data"/,
      /did you mean "pgdata"\?/,
    ],
    [
      'broken-override-bad-subnet.yaml',
      '78:54',
      'manifest.unknown-reference',
      'environments.production.compute.groups.web.subnet',
      /unknown subnet "dmz"/,
    ],
    [
      'broken-duplicate-rule.yaml',
      '34:11',
      'manifest.duplicate-rule',
      'security.groups[0].rules[2]',
      /this rule repeats rules\[1\] of group "web"/,
    ],
    [
      'broken-subnet-exhausted.yaml',
      '24:9',
      'manifest.subnet-exhausted',
      'network.subnets[0].allocationPools',
      /subnet "web" has room for 1 instance port but its compute groups need 2 in production/,
    ],
    [
      'broken-floating-ip-unreachable.yaml',
      '50:19',
      'manifest.floating-ip-unreachable',
      'compute.groups[0].floatingIp',
      /asks for floating IPs, but the router has no gateway to public/,
    ],
    [
      'broken-waiver-target.yaml',
      '74:37',
      'manifest.unknown-waiver-target',
      'waivers[0].target',
      /waiver target "storage.containers.documnets" names an unknown container "documnets"/,
      /did you mean "documents"\?/,
    ],
    ['alias-bomb.yaml', '1:1', 'manifest.alias-bomb', '', /too many YAML alias expansions/],
  ];

  it.each(cases)('%s → %s %s', (file, at, code, docPath, message, hint) => {
    const found = findings(file).filter((f) => f.severity === 'error');
    expect(found, JSON.stringify(found, null, 2)).toHaveLength(1);
    const [f] = found;
    expect(f?.at).toBe(at);
    expect(f?.code).toBe(code);
    expect(f?.path ?? '').toBe(docPath);
    expect(f?.message).toMatch(message);
    if (hint !== undefined) expect(f?.hint).toMatch(hint);
  });

  it('accepts the minimal manifest every broken one derives from', () => {
    expect(findings('valid-minimal.yaml')).toEqual([]);
  });
});

describe('five problems in one file', () => {
  it('reports all five, each at its key or value', () => {
    const found = findings('five-problems.yaml').map(
      (f) => `${f.at} ${f.path}: ${f.message}${f.hint === undefined ? '' : ` — ${f.hint}`}`,
    );
    expect(found).toEqual([
      '20:13 network.subnets[1].cidr: subnet "data" (10.0.1.128/25) overlaps subnet "web" (10.0.1.0/24) at network.subnets[0].cidr — give each subnet its own address range',
      '25:55 security.groups[0].rules[0].ports: 70000 is out of range (1..65535)',
      '29:7 compute.groups[0].flavour: unknown key — did you mean "flavor"?',
      '31:14 compute.groups[0].count: expected a whole number, got the string "two" — How many instances.',
      '33:7 compute.groups[0].subnet: duplicate key "subnet" — a key may appear only once in a mapping; merge the two entries or remove one',
    ]);
  });
});

describe('salvage', () => {
  it('still runs the semantic checks when the city block, a tag, a DNS server and the state backend are wrong', () => {
    expect(findings('salvage-mixed.yaml').map((f) => `${f.at} ${f.path}: ${f.message}`)).toEqual([
      '5:9 city.name: invalid value "Combo"',
      '7:12 city.country: "XX" is not an allowed value',
      '11:3 tags.Owner: key "Owner" is not allowed here',
      '17:16 network.dnsServers[0]: invalid value "1.1.1.300"',
      '20:13 network.subnets[0].cidr: subnet "web" (10.1.1.0/24) is not inside the network 10.0.0.0/16',
      '22:12 state.backend: "lokal" is not one of "local", "pg", "s3", "http"',
    ]);
  });
});

describe('environment status', () => {
  it('marks only production when only production is wrong', () => {
    const report = validateManifests([fixture('broken-production-no-anti-affinity.yaml')], { cwd: root, all: false });
    expect(report.files[0]?.environments).toEqual([
      { name: 'preprod', ok: true },
      { name: 'production', ok: false },
    ]);
    expect(report.ok).toBe(false);
  });

  it('marks only preprod when only a preprod parameter override is wrong, pointing into the override', () => {
    const report = validateManifests([fixture('broken-preprod-parameter.yaml')], { cwd: root, all: false });
    expect(report.files[0]?.environments).toEqual([
      { name: 'preprod', ok: false },
      { name: 'production', ok: true },
    ]);
    expect(
      report.files[0]?.diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.path}: ${d.message}`),
    ).toEqual([
      '77:33 environments.preprod.services.urbanismo-en-red.parameters.pageSize: urbanismo-en-red (preprod): 2 is out of range (5..100)',
    ]);
  });

  it('validates the three pilot cities in both environments', () => {
    const report = validateManifests([], { cwd: root, all: true });
    const lines = report.files.flatMap((f) => f.environments.map((e) => `${f.city} ${e.name} ${e.ok}`));
    expect(lines).toEqual([
      'agueda preprod true',
      'agueda production true',
      'thessaloniki preprod true',
      'thessaloniki production true',
      'valladolid preprod true',
      'valladolid production true',
    ]);
    expect(report.files.flatMap((f) => f.diagnostics)).toEqual([]);
  });
});
