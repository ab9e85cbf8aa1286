/**
 * Validates sandbox answers against the official OpenAPI 3.1 files in
 * ../shared/openstack-api/ with ajv 2020: resolve the path template, method
 * and status, then check the body against that response's schema. Nova and
 * Cinder are microversioned: where a response is a oneOf of variants named
 * `<Name>_<major><minor>`, the variant checked is the newest one not above
 * the microversion the sandbox announced (2.1 / 3.0 when it announced none).
 *
 * Those files are generated and sometimes disagree with a real OpenStack
 * (real-zed/). Every disagreement the sandbox follows the real service on is
 * one row of SCHEMA_EXCEPTIONS, narrowly (service, operation, where), with the
 * reason. Used by every sandbox and conformance test:
 * `validateResponse(service, method, path, status, body, microversion?)`, or
 * `expectConformant(...)`, which throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export type ApiService =
  'identity' | 'compute' | 'network' | 'volume' | 'image' | 'object-store' | 'load-balancer' | 'dns';

const SPEC_DIR = join(__dirname, '..', '..', '..', 'shared', 'openstack-api');
const SPEC_FILES: Record<ApiService, string> = {
  identity: 'identity-v3.yaml',
  compute: 'compute-v2.yaml',
  network: 'network-v2.yaml',
  volume: 'block-storage-v3.yaml',
  image: 'image-v2.yaml',
  'object-store': 'object-store-v1.yaml',
  'load-balancer': 'load-balancer-v2.yaml',
  dns: 'dns-v2.yaml',
};
/** The sandbox mounts each service under a prefix; the files know paths without it. */
export const SERVICE_PREFIX: Record<ApiService, string> = {
  identity: '/identity',
  compute: '/compute',
  network: '/networking',
  volume: '/volume',
  image: '/image',
  'object-store': '/object-store',
  'load-balancer': '/load-balancer',
  dns: '/dns',
};
/** Microversioned services and the microversion an answer has when it announces none. */
const BASE_MICROVERSION: Partial<Record<ApiService, string>> = { compute: '2.1', volume: '3.0' };

export type SchemaException =
  | {
      kind: 'status';
      service: ApiService;
      method: string;
      template: string;
      realStatus: number;
      fileStatus: number;
      reason: string;
    }
  | { kind: 'null'; service: ApiService; template?: string; instancePath: RegExp; reason: string }
  | {
      kind: 'keyword';
      service: ApiService;
      template?: string;
      instancePath: RegExp;
      keyword: string;
      value?: RegExp;
      reason: string;
    }
  | { kind: 'missing'; service: ApiService; template?: string; instancePath: RegExp; property: string; reason: string };

/**
 * Where the sandbox follows the real service, not the file. Keep each row narrow.
 * A status row applies only when the file does not document the real status
 * for the operation; the answer is then checked against the file's schema for
 * `fileStatus`.
 */
export const SCHEMA_EXCEPTIONS: SchemaException[] = [
  // --- success codes (real-zed/README.md) ---
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/auth/tokens',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers a token issue with 201 Created',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/servers',
    realStatus: 202,
    fileStatus: 201,
    reason: 'real Nova answers a server create with 202 Accepted',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/os-security-groups',
    realStatus: 200,
    fileStatus: 201,
    reason: "real Nova answers 200 (Tempest's create_security_group schema, which a real Zed passes)",
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/os-security-group-rules',
    realStatus: 200,
    fileStatus: 201,
    reason: "real Nova answers 200 (Tempest's create_security_group_rule schema, which a real Zed passes)",
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/os-keypairs',
    realStatus: 200,
    fileStatus: 201,
    reason: 'real Nova answers keypair create with 200 at microversion 2.1 (201 from 2.2)',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'DELETE',
    template: '/v2.1/os-keypairs/{id}',
    realStatus: 202,
    fileStatus: 204,
    reason: 'real Nova answers keypair delete with 202 at microversion 2.1 (204 from 2.2)',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/os-server-groups',
    realStatus: 200,
    fileStatus: 201,
    reason: 'real Nova answers server group create with 200',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/servers/{server_id}/os-volume_attachments',
    realStatus: 200,
    fileStatus: 201,
    reason: 'real Nova answers volume attach with 200',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'DELETE',
    template: '/v2.1/servers/{server_id}/os-volume_attachments/{id}',
    realStatus: 202,
    fileStatus: 204,
    reason: 'real Nova answers volume detach with 202',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/flavors',
    realStatus: 200,
    fileStatus: 201,
    reason: 'real Nova answers 200 to flavor create',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/servers/{server_id}/metadata',
    realStatus: 200,
    fileStatus: 201,
    reason: 'real Nova answers 200 to a metadata merge (POST)',
  },
  {
    kind: 'status',
    service: 'compute',
    method: 'POST',
    template: '/v2.1/servers/{id}/action',
    realStatus: 200,
    fileStatus: 202,
    reason: 'real Nova answers 200 to os-getConsoleOutput (and the other actions that return a body)',
  },
  {
    kind: 'status',
    service: 'volume',
    method: 'DELETE',
    template: '/v3/{project_id}/volumes/{id}',
    realStatus: 202,
    fileStatus: 204,
    reason: 'real Cinder answers volume delete with 202 Accepted',
  },
  {
    kind: 'status',
    service: 'volume',
    method: 'DELETE',
    template: '/v3/{project_id}/attachments/{id}',
    realStatus: 200,
    fileStatus: 204,
    reason: 'real Cinder answers 200 with the remaining attachments sharing the connection',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/projects',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/users',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/roles',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/domains',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/regions',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/services',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/endpoints',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/policies',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/groups',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/OS-TRUST/trusts',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'identity',
    method: 'POST',
    template: '/v3/users/{user_id}/application_credentials',
    realStatus: 201,
    fileStatus: 200,
    reason: 'real Keystone answers every create with 201 Created',
  },
  {
    kind: 'status',
    service: 'image',
    method: 'POST',
    template: '/v2/images/{image_id}/members',
    realStatus: 200,
    fileStatus: 201,
    reason: "real Glance answers member create with 200 (the file's own description says 'Normal response codes: 200')",
  },
  // --- nulls the real services send where the files say a non-null type ---
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/password_expires_at$/,
    reason: 'real Keystone answers password_expires_at: null for users without password expiry',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/roles\/\d+\/(domain_id|description)$/,
    reason: 'real Keystone answers null domain_id/description for global roles',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/(domain_id|description)$/,
    template: '/v3/roles',
    reason: 'real Keystone answers null domain_id/description for global roles',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/(domain_id|description)$/,
    template: '/v3/roles/{role_id}',
    reason: 'real Keystone answers null domain_id/description for global roles',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/links\/(next|previous)$/,
    reason: 'real Keystone answers null next/previous links on an unpaginated list',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/parent_region_id$/,
    reason: 'real Keystone answers parent_region_id: null for a top-level region',
  },
  {
    kind: 'null',
    service: 'identity',
    instancePath: /\/application_credentials?(\/\d+)?\/(expires_at|description)$/,
    reason: 'real Keystone answers null expires_at/description for an application credential without them',
  },
  {
    kind: 'null',
    service: 'volume',
    instancePath:
      /\/(qos_specs_id|consistencygroup_id|migration_status|snapshot_id|source_volid|updated_at|replication_status|description|name|group_id|group_snapshot_id|provider_id|cluster_name|service_uuid)$/,
    reason: 'real Cinder answers null for these when unset (real-zed)',
  },
  {
    kind: 'null',
    service: 'volume',
    instancePath: /\/os-vol-(mig-status-attr:(migstat|name_id)|host-attr:host)$/,
    reason: 'real Cinder answers null before scheduling / without migration (real-zed)',
  },
  {
    kind: 'null',
    service: 'volume',
    instancePath: /\/(detached_at|attached_at|instance)$/,
    reason: 'real Cinder answers null for an attachment not yet attached',
  },
  {
    kind: 'null',
    service: 'compute',
    instancePath:
      /\/(OS-SRV-USG:launched_at|OS-SRV-USG:terminated_at|OS-EXT-STS:task_state|key_name|description|locked_reason|OS-EXT-SRV-ATTR:user_data|trusted_image_certificates)$/,
    reason: 'real Nova answers null when unset (real-zed)',
  },
  {
    kind: 'null',
    service: 'compute',
    instancePath: /\/updated_at$/,
    reason: 'real Nova answers null for a keypair never updated (real-zed)',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath:
      /\/(ipv[46]_address_scope|provider:physical_network|provider:segmentation_id|ipv6_address_mode|ipv6_ra_mode|flavor_id|port_details)$/,
    reason: 'real Neutron answers null for these when unset',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath:
      /\/security_group_rules?(\/\d+)?\/(description|protocol|remote_group_id|remote_address_group_id|remote_ip_prefix|normalized_cidr|port_range_min|port_range_max)$/,
    reason: 'real Neutron answers null in security group rules',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath: /\/subnets?(\/\d+)?\/(subnetpool_id|gateway_ip)$/,
    reason: 'real Neutron answers null for a subnet without pool or gateway',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath: /\/subnetpools?(\/\d+)?\/(default_quota|address_scope_id)$/,
    reason: 'Neutron answers null for a subnet pool without quota or address scope',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath: /\/routers?(\/\d+)?\/external_gateway_info$/,
    reason: 'real Neutron answers null for a router without gateway',
  },
  {
    kind: 'null',
    service: 'network',
    instancePath: /\/floatingips?(\/\d+)?\/(port_id|router_id|fixed_ip_address)$/,
    reason: 'real Neutron answers null for an unassociated floating IP',
  },
  {
    kind: 'null',
    service: 'image',
    instancePath: /\/(name|checksum|os_hash_algo|os_hash_value|size|virtual_size|container_format|disk_format)$/,
    reason: 'real Glance answers null for these on a queued image',
  },
  // --- formats, types and required fields ---
  {
    kind: 'keyword',
    service: 'network',
    template: '/v2.0/routers/{id}/add_router_interface',
    instancePath: /^\/tenant_id$/,
    keyword: 'format',
    value: /^[0-9a-f]{32}$/,
    reason: 'Keystone project ids are 32 hex digits without dashes, not the uuid format the file asks',
  },
  {
    kind: 'keyword',
    service: 'network',
    template: '/v2.0/routers/{id}/remove_router_interface',
    instancePath: /^\/tenant_id$/,
    keyword: 'format',
    value: /^[0-9a-f]{32}$/,
    reason: 'Keystone project ids are 32 hex digits without dashes, not the uuid format the file asks',
  },
  {
    kind: 'keyword',
    service: 'network',
    template: '/v2.0/routers/{id}/add_extraroutes',
    instancePath: /^\/router\/name$/,
    keyword: 'format',
    reason: 'the file gives the router name format uuid; it is the human-readable name',
  },
  {
    kind: 'keyword',
    service: 'network',
    template: '/v2.0/routers/{id}/remove_extraroutes',
    instancePath: /^\/router\/name$/,
    keyword: 'format',
    reason: 'the file gives the router name format uuid; it is the human-readable name',
  },
  {
    kind: 'keyword',
    service: 'network',
    instancePath: /^\/network_ip_availabilit(y|ies\/\d+)\/(total_ips|used_ips|subnet_ip_availability)$/,
    keyword: 'type',
    reason: 'the file types these as strings; Neutron answers integers and a list of per-subnet objects',
  },
  {
    kind: 'keyword',
    service: 'network',
    template: '/v2.0/extensions',
    instancePath: /^\/extensions\/\d+\/updated$/,
    keyword: 'format',
    value: /^2014-06-1T10:00:00-00:00$/,
    reason: 'real Neutron announces the dvr extension as updated "2014-06-1T10:00:00-00:00"',
  },
  {
    kind: 'keyword',
    service: 'object-store',
    instancePath: /^\/\d+\/last_modified$/,
    keyword: 'format',
    value: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
    reason:
      'real Swift listings give last_modified without a time zone (2026-11-29T01:06:13.173920), which is not RFC 3339 date-time',
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /(^|\/)(id|[a-z_]*_id)$/,
    keyword: 'format',
    value: /^([0-9a-f]{32}|default|RegionOne)$/,
    reason:
      "Keystone ids are 32 hex digits without dashes (the default domain's id is 'default'), not the uuid format the file asks",
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /\/(region_id|parent_region_id|id)$/,
    template: '/v3/regions',
    keyword: 'format',
    reason: 'Keystone region ids are free text an administrator chooses (RegionOne, region-west…), not uuids',
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /\/(region_id|parent_region_id|id)$/,
    template: '/v3/regions/{region_id}',
    keyword: 'format',
    reason: 'Keystone region ids are free text an administrator chooses (RegionOne, region-west…), not uuids',
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /\/region_id$/,
    keyword: 'format',
    reason: 'Keystone region ids are free text an administrator chooses (RegionOne, region-west…), not uuids',
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /\/links$/,
    keyword: 'type',
    reason: 'real Keystone collection links are an object {self, next, previous}, not an array',
  },
  {
    kind: 'keyword',
    service: 'compute',
    instancePath: /\/tenant_id$/,
    keyword: 'format',
    reason: 'Keystone project ids are 32 hex digits without dashes, not uuids',
  },
  {
    kind: 'keyword',
    service: 'compute',
    instancePath: /\/(user_id|project_id)$/,
    keyword: 'format',
    reason: 'Keystone ids are 32 hex digits without dashes, not uuids',
  },
  {
    kind: 'keyword',
    service: 'compute',
    instancePath: /\/keypair\/created_at$/,
    keyword: 'format',
    reason: 'real Nova answers a naive timestamp 2026-11-29T01:06:04.434089 (real-zed)',
  },
  {
    kind: 'keyword',
    service: 'compute',
    instancePath: /\/OS-SRV-USG:launched_at$/,
    keyword: 'format',
    reason: 'real Nova answers a naive timestamp 2026-11-29T01:06:07.000000 (real-zed)',
  },
  {
    kind: 'keyword',
    service: 'compute',
    instancePath: /^\/instanceActions?(\/\d+)?(\/events\/\d+)?\/(start_time|finish_time|updated_at)$/,
    keyword: 'format',
    reason: "Nova's instance actions carry naive timestamps (2018-04-25T01:26:29.000000 in its api-ref samples)",
  },
  {
    kind: 'keyword',
    service: 'volume',
    instancePath: /\/(created_at|updated_at|attached_at|detached_at)$/,
    keyword: 'format',
    reason: 'real Cinder answers naive timestamps 2026-11-29T01:06:10.749641 (real-zed)',
  },
  {
    kind: 'keyword',
    service: 'volume',
    instancePath: /\/(user_id|os-vol-tenant-attr:tenant_id|project_id|os-extended-snapshot-attributes:project_id)$/,
    keyword: 'format',
    reason: 'Keystone ids are 32 hex digits without dashes, not uuids',
  },
  {
    kind: 'missing',
    service: 'volume',
    instancePath: /^\/attachment$/,
    property: 'name',
    reason: "real Cinder's attachment view has no `name`; the file requires one",
  },
  // --- load balancer (Octavia) ---
  {
    kind: 'null',
    service: 'load-balancer',
    instancePath:
      /^\/(loadbalancers?|listeners?|pools?|members?|healthmonitors?|l7polic(y|ies)|rules?)(\/\d+)?\/(redirect_pool_id|redirect_url|redirect_prefix|redirect_http_code|key|availability_zone|flavor_id|vip_qos_policy_id|updated_at|default_pool_id|default_tls_container_ref|client_ca_tls_container_ref|client_crl_container_ref|allowed_cidrs|tls_ciphers|tls_versions|alpn_protocols|tls_container_ref|ca_tls_container_ref|crl_container_ref|healthmonitor_id|monitor_address|monitor_port|domain_name|http_version|http_method|url_path|expected_codes|session_persistence)$/,
    reason: 'real Octavia answers null for an unset optional attribute',
  },
  {
    kind: 'null',
    service: 'load-balancer',
    instancePath: /^\/pools?(\/\d+)?\/session_persistence\/(cookie_name|persistence_timeout|persistence_granularity)$/,
    reason: 'real Octavia answers null for the session persistence attributes a type does not use',
  },
  {
    kind: 'keyword',
    service: 'load-balancer',
    instancePath:
      /^\/(loadbalancers?|listeners?|pools?|members?|healthmonitors?|l7polic(y|ies)|rules?)(\/\d+)?\/(created_at|updated_at)$/,
    keyword: 'format',
    value: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/,
    reason: 'real Octavia answers naive timestamps without a zone (2017-02-28T00:41:44)',
  },
  // --- dns (Designate) ---
  {
    kind: 'status',
    service: 'dns',
    method: 'POST',
    template: '/v2/zones',
    realStatus: 202,
    fileStatus: 201,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'status',
    service: 'dns',
    method: 'PATCH',
    template: '/v2/zones/{zone_id}',
    realStatus: 202,
    fileStatus: 200,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'status',
    service: 'dns',
    method: 'DELETE',
    template: '/v2/zones/{zone_id}',
    realStatus: 202,
    fileStatus: 204,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'status',
    service: 'dns',
    method: 'POST',
    template: '/v2/zones/{zone_id}/recordsets',
    realStatus: 202,
    fileStatus: 201,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'status',
    service: 'dns',
    method: 'PUT',
    template: '/v2/zones/{zone_id}/recordsets/{recordset_id}',
    realStatus: 202,
    fileStatus: 200,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'status',
    service: 'dns',
    method: 'DELETE',
    template: '/v2/zones/{zone_id}/recordsets/{recordset_id}',
    realStatus: 202,
    fileStatus: 204,
    reason: 'real Designate answers every change with 202 Accepted and the resource in PENDING',
  },
  {
    kind: 'keyword',
    service: 'dns',
    instancePath: /^$/,
    keyword: 'additionalProperties',
    reason: 'real Designate answers a listing with `metadata: {total_count}` beside `links`',
  },
  {
    kind: 'null',
    service: 'dns',
    instancePath: /^(\/recordsets\/\d+|\/zones\/\d+)?\/(description|ttl|updated_at|transferred_at)$/,
    reason:
      'real Designate answers null for an unset description, a record set without its own TTL, a never-updated resource',
  },
  {
    kind: 'keyword',
    service: 'dns',
    instancePath: /^(\/recordsets\/\d+|\/zones\/\d+)?\/(created_at|updated_at)$/,
    keyword: 'format',
    value: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
    reason: 'real Designate answers naive timestamps with microseconds (2014-10-24T19:59:44.000000)',
  },
  {
    kind: 'keyword',
    service: 'dns',
    instancePath: /^(\/recordsets\/\d+|\/zones\/\d+)?\/project_id$/,
    keyword: 'format',
    value: /^[0-9a-f]{32}$/,
    reason: 'Keystone project ids are 32 hex digits, not dashed UUIDs',
  },
  {
    kind: 'keyword',
    service: 'dns',
    instancePath: /^(\/zones\/\d+)?\/(email|name)$/,
    keyword: 'format',
    reason: "a mistake of the file: a zone's email and name are given format uuid",
  },
];

type Schema = { oneOf?: Schema[]; $ref?: string };
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components?: unknown };

const specs = new Map<ApiService, Spec>();
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(service: ApiService): { spec: Spec; ajv: Ajv2020 } {
  if (ajv === undefined) {
    // unicodeRegExp off: the files use Python-style escapes (\@) that 'u' mode rejects.
    // verbose: a oneOf error carries its branches (see unexcused).
    ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      verbose: true,
      validateFormats: true,
      unicodeRegExp: false,
      logger: false,
    });
    addFormats(ajv);
    // Formats the files use that JSON Schema does not define.
    ajv.addFormat('name', true);
    ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
    ajv.addFormat('mac-address', /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/);
  }
  let spec = specs.get(service);
  if (spec === undefined) {
    spec = parse(readFileSync(join(SPEC_DIR, SPEC_FILES[service]), 'utf8')) as Spec;
    specs.set(service, spec);
    ajv.addSchema({ $id: `storm-${service}`, components: spec.components ?? {} } as object);
  }
  return { spec, ajv };
}

/**
 * The most literal path template matching `path` (Swift object names may
 * contain '/'); a path with a trailing slash matches a template with one (Nova's
 * /v2.1/, Cinder's /v3/), else the template without.
 */
export function templateFor(service: ApiService, templates: readonly string[], path: string): string | undefined {
  const match = (p: string): string | undefined => {
    const segments = p.split('/');
    let best: { t: string; literal: number } | undefined;
    for (const t of templates) {
      const parts = t.split('/');
      const swallowsRest = service === 'object-store' && parts[parts.length - 1] === '{object}';
      if (parts.length !== segments.length && !(swallowsRest && segments.length > parts.length)) continue;
      let literal = 0;
      const ok = parts.every((part, i) => {
        if (part.startsWith('{')) return segments[i] !== undefined && segments[i] !== '';
        if (part === segments[i]) {
          literal += 1;
          return true;
        }
        return false;
      });
      if (ok && (best === undefined || literal > best.literal)) best = { t, literal };
    }
    return best?.t;
  };
  return match(path) ?? match(path.replace(/\/$/, ''));
}

/** `ServerShowResponse_247` → minor 47 of major 2; `_20` → 2.0; `_2100` → 2.100. */
function variantVersion(ref: string | undefined, major: number): number | undefined {
  const digits = /_(\d+)$/.exec(ref ?? '')?.[1];
  if (digits === undefined || !digits.startsWith(String(major))) return undefined;
  return Number(digits.slice(String(major).length) || '0');
}

/** Of a oneOf of microversion variants, the newest not above `microversion` (else the first). */
function variantFor(schema: Schema, microversion: string): Schema {
  if (schema.oneOf === undefined) return schema;
  const [major, minor] = microversion.split('.').map(Number) as [number, number];
  let best: { alt: Schema; v: number } | undefined;
  for (const alt of schema.oneOf) {
    const v = variantVersion(alt.$ref, major);
    if (v === undefined || v > minor) continue;
    if (best === undefined || v > best.v) best = { alt, v };
  }
  return best?.alt ?? schema.oneOf[0] ?? schema;
}

export interface SchemaViolation {
  service: ApiService;
  method: string;
  /** Below the service prefix, without the query. */
  path: string;
  status: number;
  /** The microversion checked (Nova and Cinder only). */
  microversion?: string;
  errors: string[];
}

function readAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function excused(service: ApiService, template: string, body: unknown, e: ErrorObject): boolean {
  return SCHEMA_EXCEPTIONS.some((x) => {
    if (x.kind === 'status' || x.service !== service) return false;
    if (x.template !== undefined && x.template !== template) return false;
    if (!x.instancePath.test(e.instancePath)) return false;
    if (x.kind === 'null') return readAt(body, e.instancePath) === null;
    if (x.kind === 'missing')
      return e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === x.property;
    if (x.keyword !== e.keyword) return false;
    if (x.value === undefined) return true;
    const v = readAt(body, e.instancePath);
    return typeof v === 'string' && x.value.test(v);
  });
}

/**
 * The errors no row excuses. A failed oneOf reports the errors of every
 * branch; it stands excused when exactly one branch has only excused errors
 * (e.g. a Nova server carrying the nulls real Nova sends, against the file's
 * oneOf of a normal and a down-cell server), its branch errors with it. A
 * oneOf that several branches passed, whose branches are not all accounted
 * for (errors inside a $ref'd branch carry that schema's own path), or an
 * anyOf, stays a violation.
 */
function unexcused(service: ApiService, template: string, body: unknown, all: ErrorObject[]): ErrorObject[] {
  const within = (e: ErrorObject, c: ErrorObject): string | undefined =>
    e !== c &&
    e.schemaPath.startsWith(`${c.schemaPath}/`) &&
    (e.instancePath === c.instancePath || e.instancePath.startsWith(`${c.instancePath}/`))
      ? /^\d+/.exec(e.schemaPath.slice(c.schemaPath.length + 1))?.[0]
      : undefined;
  const resolved = new Map<ErrorObject, boolean>();
  const isResolved = (c: ErrorObject): boolean => {
    let r = resolved.get(c);
    if (r === undefined) {
      const branches = new Map<string, ErrorObject[]>();
      for (const e of all) {
        const i = within(e, c);
        if (i !== undefined) branches.set(i, [...(branches.get(i) ?? []), e]);
      }
      const passing = (c.params as { passingSchemas?: unknown }).passingSchemas;
      const count = Array.isArray(c.schema) ? c.schema.length : -1;
      r =
        (passing === null || passing === undefined) &&
        branches.size === count &&
        [...branches.values()].filter((b) => leftovers(b).length === 0).length === 1;
      resolved.set(c, r);
    }
    return r;
  };
  const leftovers = (errors: ErrorObject[]): ErrorObject[] => {
    const oneOfs = errors.filter((e) => e.keyword === 'oneOf' && isResolved(e));
    return errors.filter(
      (e) =>
        !oneOfs.some((c) => c === e || within(e, c) !== undefined) &&
        (e.keyword === 'oneOf' || e.keyword === 'anyOf' || !excused(service, template, body, e)),
    );
  };
  return leftovers(all);
}

/**
 * Validates one answer. `path` is the path below the service prefix (e.g.
 * /v3/auth/tokens) or the full sandbox path (the prefix is stripped), with or
 * without a query. `microversion` is what the sandbox announced in
 * OpenStack-API-Version (Nova and Cinder; others ignore it).
 */
export function validateResponse(
  service: ApiService,
  method: string,
  fullPath: string,
  status: number,
  body: unknown,
  microversion?: string,
): SchemaViolation | undefined {
  const { spec, ajv: a } = load(service);
  let path = (fullPath.split('?')[0] ?? fullPath).replace(/^https?:\/\/[^/]+/, '');
  if (path.startsWith(`${SERVICE_PREFIX[service]}/`) || path === SERVICE_PREFIX[service])
    path = path.slice(SERVICE_PREFIX[service].length) || '/';
  // Octavia serves its API under /v2 and the alias /v2.0 (which gophercloud uses); the file knows /v2.
  if (service === 'load-balancer') path = path.replace(/^\/v2\.0\//, '/v2/');
  const base = BASE_MICROVERSION[service];
  const version = base === undefined ? undefined : (microversion ?? base);
  const fail = (errors: string[]): SchemaViolation => ({
    service,
    method,
    path,
    status,
    ...(version === undefined ? {} : { microversion: version }),
    errors,
  });
  const template = templateFor(service, Object.keys(spec.paths), path);
  if (template === undefined) return fail([`no path template in ${SPEC_FILES[service]}`]);
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (op === undefined) return fail([`no ${method.toUpperCase()} operation for ${template} in ${SPEC_FILES[service]}`]);
  let fileStatus = status;
  if (op.responses?.[String(status)] === undefined) {
    const x = SCHEMA_EXCEPTIONS.find(
      (r) =>
        r.kind === 'status' &&
        r.service === service &&
        r.method === method.toUpperCase() &&
        r.template === template &&
        r.realStatus === status,
    );
    if (x?.kind === 'status') fileStatus = x.fileStatus;
  }
  const response = op.responses?.[String(fileStatus)];
  if (response === undefined)
    return fail([`status ${status} is not documented for ${method.toUpperCase()} ${template}`]);
  const documented = response.content?.['application/json']?.schema;
  if (documented === undefined || body === undefined) return undefined;
  const schema = JSON.stringify(version === undefined ? documented : variantFor(documented, version)).replaceAll(
    '"#/components',
    `"storm-${service}#/components`,
  );
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = a.compile(JSON.parse(schema) as object);
    compiled.set(schema, validate);
  }
  if (validate(body)) return undefined;
  const errors = unexcused(service, template, body, validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message ?? ''} (${e.keyword}${e.keyword === 'additionalProperties' || e.keyword === 'oneOf' ? ` ${JSON.stringify(e.params)}` : ''})`,
  );
  return errors.length === 0 ? undefined : fail(errors);
}

/** Throws with every violation when the answer does not conform. */
export function expectConformant(
  service: ApiService,
  method: string,
  path: string,
  status: number,
  body: unknown,
  microversion?: string,
): void {
  const v = validateResponse(service, method, path, status, body, microversion);
  if (v !== undefined)
    throw new Error(
      `${service} ${method} ${v.path} ${status}${v.microversion === undefined ? '' : ` @${v.microversion}`} does not match ${SPEC_FILES[service]}:\n  ${v.errors.join('\n  ')}`,
    );
}
