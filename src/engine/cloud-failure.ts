/**
 * What a cloud's refusal means, read from the provider's error text (gophercloud's "Expected HTTP response code
 * [...] when accessing [METHOD URL], but got NNN instead: BODY", its "No suitable endpoint could be found in the
 * service catalog", or an authentication failure): which OpenStack service refused, with which status, and what
 * the person running storm should do about it. Pure: literal text in, a sentence and advice out.
 */

/** The OpenStack services storm's resources live in, as people name them. */
export type CloudService =
  | 'Keystone (identity)'
  | 'Nova (compute)'
  | 'Neutron (network)'
  | 'Cinder (block storage)'
  | 'Glance (image)'
  | 'Swift (object storage)'
  | 'Octavia (load balancer)'
  | 'Designate (DNS)'
  | 'Barbican (key manager)';

export type CloudFailureKind =
  'token-refused' | 'forbidden' | 'quota' | 'conflict' | 'not-found' | 'unavailable' | 'endpoint-missing';

export interface CloudFailure {
  kind: CloudFailureKind;
  service: CloudService | undefined;
  status: number | undefined;
  /** One sentence: who refused what. */
  summary: string;
  /** What to do next. */
  advice: string;
}

/** By the provider's resource type: `openstack_<family>_…`. */
const SERVICE_OF_FAMILY: [RegExp, CloudService][] = [
  [/^openstack_(compute|images_image_access)/, 'Nova (compute)'],
  [/^openstack_networking_/, 'Neutron (network)'],
  [/^openstack_blockstorage_/, 'Cinder (block storage)'],
  [/^openstack_images_/, 'Glance (image)'],
  [/^openstack_objectstorage_/, 'Swift (object storage)'],
  [/^openstack_lb_/, 'Octavia (load balancer)'],
  [/^openstack_dns_/, 'Designate (DNS)'],
  [/^openstack_keymanager_/, 'Barbican (key manager)'],
  [/^openstack_identity_/, 'Keystone (identity)'],
];

/** By the endpoint's path or its well-known port, for errors that name a URL but no resource. */
const SERVICE_OF_URL: [RegExp, CloudService][] = [
  [/\/identity\/|:5000\/|\/v3\/auth\//, 'Keystone (identity)'],
  [/\/compute\/|:8774\//, 'Nova (compute)'],
  [/\/network(ing)?\/|:9696\//, 'Neutron (network)'],
  [/\/volume(v3)?\/|:8776\//, 'Cinder (block storage)'],
  [/\/image\/|:9292\//, 'Glance (image)'],
  [/\/object-store\/|\/swift\/|:8080\/|\/v1\/AUTH_/, 'Swift (object storage)'],
  [/\/load-balancer\/|:9876\//, 'Octavia (load balancer)'],
  [/\/dns\/|:9001\//, 'Designate (DNS)'],
  [/\/key-manager\/|:9311\//, 'Barbican (key manager)'],
];

/** By gophercloud's "OpenStack <kind> client" wording. */
const SERVICE_OF_CLIENT: [RegExp, CloudService][] = [
  [/compute|server/i, 'Nova (compute)'],
  [/network/i, 'Neutron (network)'],
  [/block ?storage|volume/i, 'Cinder (block storage)'],
  [/image/i, 'Glance (image)'],
  [/object ?storage/i, 'Swift (object storage)'],
  [/load ?balancer/i, 'Octavia (load balancer)'],
  [/dns/i, 'Designate (DNS)'],
  [/key ?manager/i, 'Barbican (key manager)'],
  [/identity/i, 'Keystone (identity)'],
];

function firstMatch(table: [RegExp, CloudService][], text: string | undefined): CloudService | undefined {
  if (text === undefined) return undefined;
  return table.find(([re]) => re.test(text))?.[1];
}

/**
 * The failure a provider error describes, or undefined when it is not a cloud's refusal (a configuration error,
 * a provider bug, …). `address` is the resource address tofu reported it for, when there is one.
 */
export function classifyCloudFailure(text: string, address?: string): CloudFailure | undefined {
  const http =
    /when accessing \[(GET|HEAD|POST|PUT|PATCH|DELETE) ([^\]\s]+)\], but got (\d{3}) instead(?::\s*(.*))?/s.exec(text);
  const resourceType = address?.replace(/^(module\.[^.]+\.)*(data\.)?/, '').split('.')[0];
  if (/No suitable endpoint could be found in the service catalog/i.test(text)) {
    const client = /OpenStack ([a-z ]+?) client/i.exec(text)?.[1];
    const service = firstMatch(SERVICE_OF_FAMILY, resourceType) ?? firstMatch(SERVICE_OF_CLIENT, client);
    const named = service ?? 'a service storm needs';
    return {
      kind: 'endpoint-missing',
      service,
      status: undefined,
      summary: `the cloud's service catalog has no endpoint for ${named}`,
      advice: `check region_name and interface of the cloud in clouds.yaml (the catalog lists endpoints per region and interface), or ask the cloud's operator whether it offers ${named}; \`openstack catalog list\` shows what it offers`,
    };
  }
  const status =
    http !== null ? Number(http[3]) : /Authentication failed|requires authentication/i.test(text) ? 401 : undefined;
  if (status === undefined) return undefined;
  const method = http?.[1];
  const url = http?.[2];
  const body = http?.[4] ?? text;
  const service = firstMatch(SERVICE_OF_FAMILY, resourceType) ?? firstMatch(SERVICE_OF_URL, url);
  const who = service ?? 'the cloud';
  const what = method !== undefined && url !== undefined ? ` to ${method} ${url.replace(/^https?:\/\/[^/]+/, '')}` : '';
  const quota = /quota|OverLimit|over ?limit|exceeded/i.test(body);
  const again =
    'run the same storm command again: the state keeps what was already created and the run continues from there';
  if (status === 401)
    return {
      kind: 'token-refused',
      service,
      status,
      summary: `${who} refused the token (401)${what}: it expired or was revoked during the run`,
      advice: `${again}. If it recurs, authenticate with a password or an application credential (storm and the provider then renew the token) rather than a bare token, or ask for a longer token lifetime`,
    };
  if (status === 413 || ((status === 403 || status === 409) && quota))
    return {
      kind: 'quota',
      service,
      status,
      summary: `${who} refused${what} (${status}): the project's quota is exhausted`,
      advice: `raise the project's quota (\`openstack quota show\` / \`openstack quota set\`, or ask the cloud's operator) or lower the manifest's counts, then ${again}`,
    };
  if (status === 403)
    return {
      kind: 'forbidden',
      service,
      status,
      summary: `${who} forbade${what} (403): the credentials lack the role its policy asks for`,
      advice: `ask the cloud's operator for the role (usually member of the city's project) or use credentials that have it, then ${again}`,
    };
  if (status === 409)
    return {
      kind: 'conflict',
      service,
      status,
      summary: `${who} answered 409 Conflict${what}: something with the same name or address exists, or the resource is busy`,
      advice: `look for a leftover in the project (\`openstack <kind> list\`), delete it or bring it under storm with \`storm import\`, then ${again}`,
    };
  if (status === 404)
    return {
      kind: 'not-found',
      service,
      status,
      summary: `${who} answered 404${what}: something the plan relies on is gone`,
      advice: `something was removed outside storm; \`storm plan\` shows the drift, and the next provision recreates what is missing`,
    };
  if (status >= 500)
    return {
      kind: 'unavailable',
      service,
      status,
      summary: `${who} failed or was unavailable (${status})${what}; this is on the cloud's side`,
      advice: `wait until ${who} answers again (the cloud's status page or operator), then ${again}`,
    };
  return undefined;
}
