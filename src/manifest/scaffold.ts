/**
 * `storm init <city> --from <other>`: a new city starts from an existing one.
 * Infrastructure, services and their parameters are kept; what belongs to the
 * other city (contacts, owner, partners, key pairs, admin networks, waivers)
 * is cleared and marked FILL IN; the network moves to a private range no other
 * city uses. The result is written with the original's comments and validates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import { StormError, type Diagnostic } from '../errors';
import { listCities, readManifest, resolveManifestRef, STACKS_DIR } from './files';
import { cidrsOverlap, formatIpv4, parseCidr, parseIpv4, type Cidr } from './ip-address';
import { loadCity } from './load';
import { parseManifest } from './source';
import { validateParsed } from './validate';

export interface ScaffoldOptions {
  cwd: string;
  /** DNS-safe name of the new city. */
  name: string;
  /** The city (or manifest file) to start from. */
  from: string;
  displayName?: string;
  /** ISO 3166-1 alpha-2; kept from the original when omitted. */
  country?: string;
  /** Overwrite an existing stacks/<name>.yaml. */
  force?: boolean;
}

export interface ScaffoldResult {
  city: string;
  from: string;
  file: string;
  network: { from: string; to: string };
  /** What the person has to fill in, as paths. */
  fillIn: string[];
  warnings: Diagnostic[];
}

const NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Where new city networks come from, in this order (RFC 1918). */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** TEST-NET-1 (RFC 5737): a placeholder that validates and reaches nobody. */
const PLACEHOLDER_ADMIN_CIDR = '192.0.2.0/24';

function titleCase(name: string): string {
  return name
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(' ');
}

/** The first block of `prefix` length in the private ranges that overlaps none of `taken`. */
export function freeNetwork(prefix: number, taken: readonly Cidr[]): Cidr | undefined {
  for (const rangeText of PRIVATE_RANGES) {
    const range = parseCidr(rangeText)!;
    if (prefix < range.prefix) continue;
    const size = 1n << BigInt(32 - prefix);
    for (let first = range.first; first + size - 1n <= range.last; first += size) {
      const candidate = parseCidr(`${formatIpv4(first)}/${prefix}`)!;
      if (!taken.some((t) => cidrsOverlap(t, candidate))) return candidate;
    }
  }
  return undefined;
}

function pairOf(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function removeKey(map: unknown, key: string): boolean {
  if (!isMap(map)) return false;
  const m = map as YAMLMap;
  const i = m.items.findIndex((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  if (i === -1) return false;
  m.items.splice(i, 1);
  return true;
}

function markFillIn(doc: Document, pathInDoc: (string | number)[], note: string): void {
  const map = doc.getIn(pathInDoc.slice(0, -1), true);
  const pair = pairOf(map, String(pathInDoc[pathInDoc.length - 1]));
  if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = ` FILL IN: ${note}`;
}

/** Moves every address inside `from` to the same offset inside `to`. */
function shiftAddresses(doc: Document, from: Cidr, to: Cidr): void {
  const offset = to.first - from.first;
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      const text = node.value;
      const cidr = text.includes('/') ? parseCidr(text) : undefined;
      if (cidr !== undefined && cidr.version === 4 && cidr.first >= from.first && cidr.last <= from.last) {
        node.value = `${formatIpv4(cidr.address + offset)}/${cidr.prefix}`;
        return;
      }
      const ip = parseIpv4(text);
      if (ip !== undefined && ip >= from.first && ip <= from.last) node.value = formatIpv4(ip + offset);
    },
  });
}

function takenNetworks(cwd: string, except: string): Cidr[] {
  const out: Cidr[] = [];
  for (const city of listCities(cwd)) {
    if (city === except) continue;
    const parsed = readManifest(resolveManifestRef(city, cwd), cwd);
    const cidr = (parsed.data as { network?: { cidr?: unknown } } | undefined)?.network?.cidr;
    const c = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    if (c !== undefined) out.push(c);
  }
  return out;
}

export function scaffoldCity(options: ScaffoldOptions): ScaffoldResult {
  const { cwd, name } = options;
  if (!NAME.test(name))
    throw new StormError('usage', `"${name}" is not a valid city name`, {
      hint: 'use lower-case letters, digits and hyphens, starting with a letter (it becomes stacks/<name>.yaml and resource names)',
    });
  const target = path.join(cwd, STACKS_DIR, `${name}.yaml`);
  if (fs.existsSync(target) && options.force !== true)
    throw new StormError('usage', `${STACKS_DIR}/${name}.yaml already exists`, {
      hint: 'choose another name, or pass --force to overwrite it',
    });
  const source = loadCity(options.from, { cwd });
  const original = source.doc;
  const doc = parseDocument(source.text, { version: '1.2' });
  const fillIn: string[] = [];
  const displayName = options.displayName ?? titleCase(name);

  doc.setIn(['city', 'name'], name);
  doc.setIn(['city', 'displayName'], displayName);
  if (options.displayName === undefined) {
    markFillIn(doc, ['city', 'displayName'], 'the official name of the city or its administration');
    fillIn.push('city.displayName');
  }
  if (options.country !== undefined && options.country !== original.city.country) {
    doc.setIn(['city', 'country'], options.country);
    markFillIn(doc, ['city', 'languages'], `the languages of ${displayName} (these are ${original.city.name}'s)`);
    fillIn.push('city.languages');
  }
  doc.setIn(['city', 'owner'], doc.createNode({ team: `Operations of ${displayName}`, email: `ops@${name}.invalid` }));
  markFillIn(doc, ['city', 'owner'], 'the team that runs this tenancy and its address');
  fillIn.push('city.owner');
  if (removeKey(doc.get('city', true), 'contacts')) fillIn.push('city.contacts');
  if (original.tags !== undefined) {
    doc.setIn(['tags', 'owner'], `ops-${name}`);
    if (original.tags['cost-centre'] !== undefined) doc.setIn(['tags', 'cost-centre'], 'FILL-IN');
    markFillIn(doc, ['tags'], 'owner and cost-centre of this city');
    fillIn.push('tags');
  }

  const from = parseCidr(original.network.cidr)!;
  const to = freeNetwork(from.prefix, takenNetworks(cwd, name));
  if (to === undefined)
    throw new StormError('usage', `no free /${from.prefix} private network is left for ${name}`, {
      hint: 'other cities use every private range of that size',
    });
  shiftAddresses(doc, from, to);

  if (original.security?.adminCidrs !== undefined) {
    doc.setIn(['security', 'adminCidrs'], doc.createNode([PLACEHOLDER_ADMIN_CIDR], { flow: true }));
    markFillIn(
      doc,
      ['security', 'adminCidrs'],
      `the networks your operators administer from (${PLACEHOLDER_ADMIN_CIDR} is a placeholder that reaches nobody)`,
    );
    fillIn.push('security.adminCidrs');
  }
  // Key pairs are the other city's operators' keys.
  if (original.compute?.keypairs !== undefined) {
    const compute = doc.get('compute', true);
    removeKey(compute, 'keypairs');
    const groups = doc.getIn(['compute', 'groups'], true);
    if (isSeq(groups)) for (const g of groups.items) removeKey(g, 'keypair');
    const first = isMap(compute) ? (compute as YAMLMap).items[0] : undefined;
    if (isPair(first) && isScalar(first.key))
      first.key.commentBefore = ' FILL IN: keypairs: [{ name, publicKey }] for your operators';
    fillIn.push('compute.keypairs');
  }
  if (removeKey(doc.contents, 'partners')) {
    const services =
      pairOf(doc.contents, 'services') ?? pairOf(doc.contents, 'state') ?? pairOf(doc.contents, 'environments');
    if (services !== undefined && isScalar(services.key))
      services.key.commentBefore = ` FILL IN: partners of ${displayName} (those of ${original.city.name} were removed)`;
    fillIn.push('partners');
  }
  // Waivers were approved for the other city; this one approves its own.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'waivers') return visit.REMOVE;
      return undefined;
    },
  });

  const lines = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).split('\n');
  const header = `# ${displayName} — scaffolded from ${original.city.name} by \`storm init\`; search for FILL IN.`;
  // Keep the schema modeline; replace the original city's description line.
  const body = lines[0]?.startsWith('# yaml-language-server:')
    ? [lines[0], header, ...lines.slice(lines[1]?.startsWith('#') ? 2 : 1)]
    : [header, ...lines];
  const text = body.join('\n');

  // Checked exactly as `storm validate` would check the file, before anything is written.
  const result = validateParsed(parseManifest(text, `${STACKS_DIR}/${name}.yaml`, target), { cwd });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new StormError('internal', `the scaffolded manifest for ${name} does not validate`, {
      diagnostics: errors,
      hint: 'this is a bug in storm init; please report it with the manifest it started from',
    });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  return {
    city: name,
    from: original.city.name,
    file: `${STACKS_DIR}/${name}.yaml`,
    network: { from: original.network.cidr, to: `${formatIpv4(to.first)}/${to.prefix}` },
    fillIn,
    warnings: result.diagnostics.filter((d) => d.severity !== 'error'),
  };
}
