import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment, type ResolvedCity } from '../../src/manifest/model';
import { serviceNeedsFor, synthesizeResolved } from '../../src/synth/synth-city';
import { cityCaFile, tlsMaterialFor, tlsVariables } from '../../src/synth/tls-material';

const root = path.join(__dirname, '..', '..');
const manifest = path.join(root, 'stacks', 'valladolid.yaml');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-front-door-synth-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

function resolved(env: string): ResolvedCity {
  return resolveEnvironment(loadCity('valladolid', { cwd: root }).doc, env);
}

describe('the front door of valladolid production (HTTPS from the city CA, a name)', () => {
  const city = resolved('production');
  const json = synthesizeResolved(city, { services: serviceNeedsFor(city, root) });
  const r = json.resource as Blocks;
  const text = JSON.stringify(json);

  it('balances the two instances on their fixed IPs and the template port, watched on its health path', () => {
    expect(r.openstack_lb_loadbalancer_v2?.urbanismo_en_red?.vip_subnet_id).toBe(
      '${openstack_networking_subnet_v2.web.id}',
    );
    expect(r.openstack_lb_pool_v2?.urbanismo_en_red).toMatchObject({ lb_method: 'ROUND_ROBIN', protocol: 'HTTP' });
    expect(Object.values(r.openstack_lb_member_v2 ?? {}).map((m) => [m.address, m.protocol_port])).toEqual([
      ['${element(openstack_networking_port_v2.web_1.all_fixed_ips, 0)}', 8080],
      ['${element(openstack_networking_port_v2.web_2.all_fixed_ips, 0)}', 8080],
    ]);
    expect(r.openstack_lb_monitor_v2?.urbanismo_en_red).toMatchObject({
      type: 'HTTP',
      url_path: '/healthz',
      delay: 5,
      timeout: 3,
      max_retries: 3,
    });
  });

  it('terminates HTTPS with a Barbican certificate container and redirects HTTP to it', () => {
    const listeners = r.openstack_lb_listener_v2 ?? {};
    expect(listeners.urbanismo_en_red).toMatchObject({
      protocol: 'TERMINATED_HTTPS',
      protocol_port: 443,
      default_tls_container_ref: '${openstack_keymanager_container_v1.urbanismo_en_red.container_ref}',
    });
    expect(listeners.urbanismo_en_red_http).toMatchObject({ protocol: 'HTTP', protocol_port: 80 });
    expect(r.openstack_lb_l7policy_v2?.urbanismo_en_red_to_https).toMatchObject({
      action: 'REDIRECT_PREFIX',
      redirect_prefix: 'https://urbanismo.valladolid.example',
      listener_id: '${openstack_lb_listener_v2.urbanismo_en_red_http.id}',
    });
    expect(r.openstack_lb_l7rule_v2?.urbanismo_en_red_every_path).toMatchObject({ type: 'PATH', value: '/' });
    expect(r.openstack_keymanager_container_v1?.urbanismo_en_red).toMatchObject({ type: 'certificate' });
  });

  it('keeps the certificate and key out of the JSON: variables (the key sensitive) the engine gets in its environment', () => {
    expect(text).not.toContain('BEGIN');
    expect(r.openstack_keymanager_secret_v1?.urbanismo_en_red_private_key).toMatchObject({
      payload: '${var.tls_key_urbanismo_en_red}',
      secret_type: 'private',
    });
    expect(r.openstack_keymanager_secret_v1?.urbanismo_en_red_certificate).toMatchObject({
      payload: '${var.tls_certificate_urbanismo_en_red}',
      secret_type: 'certificate',
    });
    const variables = json.variable as Blocks;
    expect(variables.tls_key_urbanismo_en_red).toMatchObject({ sensitive: true, type: 'string', nullable: false });
    expect(variables.tls_certificate_urbanismo_en_red).toMatchObject({ sensitive: false, type: 'string' });
    const tls = tlsMaterialFor(city, manifest, work);
    const pem = tls.get('urbanismo-en-red');
    if (pem?.kind !== 'pem') throw new Error('a generated certificate is PEM');
    expect(tlsVariables(tls)).toEqual({
      TF_VAR_tls_certificate_urbanismo_en_red: pem.certificatePem,
      TF_VAR_tls_key_urbanismo_en_red: pem.keyPem,
    });
  });

  it('moves the floating IP from the instances to the VIP and names it in Designate', () => {
    expect(Object.keys(r.openstack_networking_floatingip_v2 ?? {})).toEqual(['lb_urbanismo_en_red']);
    expect(r.openstack_networking_floatingip_associate_v2?.lb_urbanismo_en_red?.port_id).toBe(
      '${openstack_lb_loadbalancer_v2.urbanismo_en_red.vip_port_id}',
    );
    expect(r.openstack_dns_zone_v2?.valladolid_example).toMatchObject({
      name: 'valladolid.example.',
      email: 'cpd@ava.es',
    });
    expect(r.openstack_dns_recordset_v2?.urbanismo_en_red).toMatchObject({
      name: 'urbanismo.valladolid.example.',
      type: 'A',
      records: ['${openstack_networking_floatingip_v2.lb_urbanismo_en_red.address}'],
    });
    const services = (json.output as Record<string, { value: Record<string, { url?: string }> }>).services?.value;
    expect(services?.['urbanismo-en-red']?.url).toBe('https://urbanismo.valladolid.example/');
  });

  it('opens the service port to the VIP subnet only', () => {
    const rules = Object.entries(r.openstack_networking_secgroup_rule_v2 ?? {}).filter(
      ([, rule]) => rule.port_range_min === 8080,
    );
    expect(rules.map(([, rule]) => rule.remote_ip_prefix)).toEqual(['10.10.1.0/24']);
  });
});

describe('a front door without TLS (preprod asking for a load balancer)', () => {
  it('is one HTTP listener on port 80, and the URL is the floating IP', () => {
    const doc = loadCity('valladolid', { cwd: root }).doc;
    const base = doc.services?.[0];
    if (base === undefined) throw new Error('valladolid has a service');
    const city = resolveEnvironment(
      {
        ...doc,
        services: [{ ...base, loadBalancer: { algorithm: 'LEAST_CONNECTIONS', sessionPersistence: 'SOURCE_IP' } }],
      },
      'preprod',
    );
    const json = synthesizeResolved(city, { services: serviceNeedsFor(city, root) });
    const r = json.resource as Blocks;
    expect(Object.keys(r.openstack_lb_listener_v2 ?? {})).toEqual(['urbanismo_en_red']);
    expect(r.openstack_lb_listener_v2?.urbanismo_en_red).toMatchObject({ protocol: 'HTTP', protocol_port: 80 });
    expect(r.openstack_lb_pool_v2?.urbanismo_en_red).toMatchObject({
      lb_method: 'LEAST_CONNECTIONS',
      persistence: { type: 'SOURCE_IP' },
    });
    expect(r.openstack_keymanager_secret_v1).toBeUndefined();
    expect(r.openstack_dns_zone_v2).toBeUndefined();
    const services = (json.output as Record<string, { value: Record<string, { url?: string }> }>).services?.value;
    expect(services?.['urbanismo-en-red']?.url).toBe(
      'http://${openstack_networking_floatingip_v2.lb_urbanismo_en_red.address}/',
    );
  });

  it('names a Barbican container the manifest gives, and uploads nothing', () => {
    const doc = loadCity('valladolid', { cwd: root }).doc;
    const base = doc.services?.[0];
    if (base === undefined) throw new Error('valladolid has a service');
    const container = 'https://barbican.example:9311/v1/containers/0b9e8b7c-6c5a-4b43-9a43-1f0c2a1e2d3f';
    const city = resolveEnvironment({ ...doc, services: [{ ...base, tls: { container } }] }, 'preprod');
    const json = synthesizeResolved(city, { services: serviceNeedsFor(city, root) });
    const r = json.resource as Blocks;
    expect(r.openstack_lb_listener_v2?.urbanismo_en_red?.default_tls_container_ref).toBe(container);
    expect(r.openstack_keymanager_secret_v1).toBeUndefined();
    expect(json.variable).toBeUndefined();
    expect(tlsMaterialFor(city, manifest, work).get('urbanismo-en-red')).toEqual({
      kind: 'container',
      containerRef: container,
    });
  });
});

describe('the city CA', () => {
  it('is kept private under .storm/ca/<city>/ and issues a certificate it reuses while it fits', () => {
    const dir = fs.mkdtempSync(path.join(work, 'ca-'));
    const city = resolved('production');
    const first = tlsMaterialFor(city, manifest, dir).get('urbanismo-en-red');
    const again = tlsMaterialFor(city, manifest, dir).get('urbanismo-en-red');
    expect(again).toEqual(first);
    if (first?.kind !== 'pem') throw new Error('a generated certificate is PEM');
    const ca = fs.readFileSync(cityCaFile(dir, 'valladolid'), 'utf8');
    const cert = new X509Certificate(first.certificatePem);
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(cert.checkHost('urbanismo.valladolid.example')).toBe('urbanismo.valladolid.example');
    for (const f of ['ca-key.pem', path.join('production', 'urbanismo-en-red-key.pem')])
      expect(fs.statSync(path.join(dir, '.storm', 'ca', 'valladolid', f)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, '.storm', 'ca', 'valladolid')).mode & 0o777).toBe(0o700);
    // Another name: a new certificate from the same CA.
    const renamed = resolveEnvironment(
      {
        ...loadCity('valladolid', { cwd: root }).doc,
        environments: {
          ...loadCity('valladolid', { cwd: root }).doc.environments,
          production: {
            ...loadCity('valladolid', { cwd: root }).doc.environments.production,
            services: {
              'urbanismo-en-red': { tls: { generate: true }, dns: { zone: 'valladolid.example.', name: 'plan' } },
            },
          },
        },
      },
      'production',
    );
    const other = tlsMaterialFor(renamed, manifest, dir).get('urbanismo-en-red');
    if (other?.kind !== 'pem') throw new Error('a generated certificate is PEM');
    expect(other.certificatePem).not.toBe(first.certificatePem);
    expect(new X509Certificate(other.certificatePem).checkHost('plan.valladolid.example')).toBeDefined();
    expect(new X509Certificate(other.certificatePem).verify(new X509Certificate(ca).publicKey)).toBe(true);
  });
});
