/**
 * What clients read before anything else: the version document, the v2.0
 * resource index, the extension list (only what the sandbox implements) and
 * the availability zones.
 */
import type { Doc } from './list-query.js';
import { notFound } from './neutron-errors.js';

interface Extension {
  alias: string;
  name: string;
  description: string;
  updated: string;
}

/** Aliases, names and descriptions as Neutron Zed announces them. */
const EXTENSIONS: Extension[] = [
  {
    alias: 'address-scope',
    name: 'Address scope',
    description: 'Address scopes extension.',
    updated: '2015-07-26T10:00:00-00:00',
  },
  {
    alias: 'allowed-address-pairs',
    name: 'Allowed Address Pairs',
    description: 'Provides allowed address pairs',
    updated: '2013-07-23T10:00:00-00:00',
  },
  {
    alias: 'availability_zone',
    name: 'Availability Zone',
    description: 'The availability zone extension.',
    updated: '2015-01-01T10:00:00-00:00',
  },
  {
    alias: 'binding',
    name: 'Port Binding',
    description: 'Expose port bindings of a virtual port to external application',
    updated: '2014-02-03T10:00:00-00:00',
  },
  {
    alias: 'default-subnetpools',
    name: 'Default Subnetpools',
    description: 'Provides ability to mark and use a subnetpool as the default.',
    updated: '2016-02-18T18:00:00-00:00',
  },
  {
    alias: 'dvr',
    name: 'Distributed Virtual Router',
    description: 'Enables configuration of Distributed Virtual Routers.',
    updated: '2014-06-1T10:00:00-00:00',
  },
  {
    alias: 'empty-string-filtering',
    name: 'Empty String Filtering Extension',
    description: 'Allow filtering by attributes with empty string value',
    updated: '2018-05-01T10:00:00-00:00',
  },
  {
    alias: 'external-net',
    name: 'Neutron external network',
    description: 'Adds external network attribute to network resource.',
    updated: '2013-01-14T10:00:00-00:00',
  },
  {
    alias: 'extra_dhcp_opt',
    name: 'Neutron Extra DHCP options',
    description:
      'Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)',
    updated: '2013-03-17T12:00:00-00:00',
  },
  {
    alias: 'extraroute',
    name: 'Neutron Extra Route',
    description: 'Extra routes configuration for L3 router',
    updated: '2013-02-01T10:00:00-00:00',
  },
  {
    alias: 'extraroute-atomic',
    name: 'Atomically add/remove extra routes',
    description: 'Edit extra routes of a router on server side by atomically adding/removing extra routes',
    updated: '2019-07-10T00:00:00+00:00',
  },
  {
    alias: 'filter-validation',
    name: 'Filter parameters validation',
    description: 'Provides validation on filter parameters.',
    updated: '2018-07-04T10:00:00-00:00',
  },
  {
    alias: 'fip-port-details',
    name: 'Floating IP Port Details Extension',
    description: 'Add port_details attribute to Floating IP resource',
    updated: '2018-04-09T10:00:00-00:00',
  },
  {
    alias: 'ip-substring-filtering',
    name: 'IP address substring filtering',
    description: 'Provides IP address substring filtering when listing ports',
    updated: '2017-11-28T09:00:00-00:00',
  },
  {
    alias: 'router',
    name: 'Neutron L3 Router',
    description:
      'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
    updated: '2012-07-20T10:00:00-00:00',
  },
  {
    alias: 'ext-gw-mode',
    name: 'Neutron L3 Configurable external gateway mode',
    description: 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
    updated: '2013-03-28T10:00:00-00:00',
  },
  {
    alias: 'l3-ha',
    name: 'HA Router extension',
    description: 'Adds HA capability to routers.',
    updated: '2014-04-26T00:00:00-00:00',
  },
  {
    alias: 'net-mtu',
    name: 'Network MTU',
    description: 'Provides MTU attribute for a network resource.',
    updated: '2015-03-25T10:00:00-00:00',
  },
  {
    alias: 'net-mtu-writable',
    name: 'Network MTU (writable)',
    description: 'Provides a writable MTU attribute for a network resource.',
    updated: '2017-07-12T00:00:00-00:00',
  },
  {
    alias: 'network-ip-availability',
    name: 'Network IP Availability',
    description: 'Provides IP availability data for each network and subnet.',
    updated: '2015-09-24T00:00:00-00:00',
  },
  {
    alias: 'network_availability_zone',
    name: 'Network Availability Zone',
    description: 'Availability zone support for network.',
    updated: '2015-01-01T10:00:00-00:00',
  },
  {
    alias: 'pagination',
    name: 'Pagination support',
    description: 'Extension that indicates that pagination is enabled.',
    updated: '2016-06-12T00:00:00-00:00',
  },
  {
    alias: 'port-security',
    name: 'Port Security',
    description: 'Provides port security',
    updated: '2012-07-23T10:00:00-00:00',
  },
  {
    alias: 'project-id',
    name: 'project_id field enabled',
    description: 'Extension that indicates that project_id field is enabled.',
    updated: '2016-09-09T09:09:09-09:09',
  },
  {
    alias: 'provider',
    name: 'Provider Network',
    description: 'Expose mapping of virtual networks to physical networks',
    updated: '2012-09-07T10:00:00-00:00',
  },
  {
    alias: 'quotas',
    name: 'Quota management support',
    description: 'Expose functions for quotas management per project',
    updated: '2012-07-29T10:00:00-00:00',
  },
  {
    alias: 'quota_details',
    name: 'Quota details management support',
    description: 'Expose functions for quotas usage statistics per project',
    updated: '2017-02-10T10:00:00-00:00',
  },
  {
    alias: 'rbac-policies',
    name: 'RBAC Policies',
    description: 'Allows creation and modification of policies that control tenant access to resources.',
    updated: '2015-06-17T12:15:12-00:00',
  },
  {
    alias: 'rbac-address-scope',
    name: 'Add address_scope type to RBAC',
    description: 'Add address_scope type to RBAC',
    updated: '2020-02-12T00:00:00-00:00',
  },
  {
    alias: 'rbac-security-groups',
    name: 'Add security_group type to network RBAC',
    description: 'Add security_group type to network RBAC',
    updated: '2019-02-14T00:00:00-00:00',
  },
  {
    alias: 'revision-if-match',
    name: 'If-Match constraints based on revision_number',
    description: 'Extension indicating that If-Match based on revision_number is supported.',
    updated: '2016-12-11T00:00:00-00:00',
  },
  {
    alias: 'rbac-subnetpool',
    name: 'Add subnetpool type to RBAC',
    description: 'Add subnetpool type to RBAC',
    updated: '2020-02-05T00:00:00-00:00',
  },
  {
    alias: 'standard-attr-revisions',
    name: 'Resource revision numbers',
    description: 'This extension will display the revision number of neutron resources.',
    updated: '2016-04-11T10:00:00-00:00',
  },
  {
    alias: 'router_availability_zone',
    name: 'Router Availability Zone',
    description: 'Availability zone support for router.',
    updated: '2015-01-01T10:00:00-00:00',
  },
  {
    alias: 'security-groups-normalized-cidr',
    name: 'Normalized CIDR field for security group rules',
    description: 'Add new field with normalized remote_ip_prefix cidr in SG rule',
    updated: '2020-07-28T10:00:00-00:00',
  },
  {
    alias: 'port-security-groups-filtering',
    name: 'Port filtering on security groups',
    description: 'Provides security groups filtering when listing ports',
    updated: '2018-01-09T09:00:00-00:00',
  },
  {
    alias: 'security-groups-remote-address-group',
    name: 'Remote address group id field for security group rules',
    description: 'Add new field of remote address group id in SG rules',
    updated: '2020-08-25T10:00:00-00:00',
  },
  {
    alias: 'security-groups-shared-filtering',
    name: 'Security group filtering on the shared field',
    description: 'Support filtering security groups on the shared field',
    updated: '2021-10-05T09:00:00-00:00',
  },
  {
    alias: 'security-group',
    name: 'security-group',
    description: 'The security groups extension.',
    updated: '2012-10-05T10:00:00-00:00',
  },
  {
    alias: 'sorting',
    name: 'Sorting support',
    description: 'Extension that indicates that sorting is enabled.',
    updated: '2016-06-12T00:00:00-00:00',
  },
  {
    alias: 'standard-attr-description',
    name: 'standard-attr-description',
    description: 'Extension to add descriptions to standard attributes',
    updated: '2016-02-10T10:00:00-00:00',
  },
  {
    alias: 'stateful-security-group',
    name: 'Stateful security group',
    description: 'Indicates if the security group is stateful or not',
    updated: '2019-11-26T09:00:00-00:00',
  },
  {
    alias: 'subnet_allocation',
    name: 'Subnet Allocation',
    description: 'Enables allocation of subnets from a subnet pool',
    updated: '2015-03-30T10:00:00-00:00',
  },
  {
    alias: 'subnet-service-types',
    name: 'Subnet service types',
    description: 'Provides ability to set the subnet service_types field',
    updated: '2016-03-15T18:00:00-00:00',
  },
  {
    alias: 'standard-attr-tag',
    name: 'Tag support for resources with standard attribute: port, subnet, subnetpool, network, security_group, router, floatingip, policy, trunk, network_segment_range',
    description: 'Enables to set tag on resources with standard attribute.',
    updated: '2017-01-01T00:00:00-00:00',
  },
  {
    alias: 'standard-attr-timestamp',
    name: 'Resource timestamps',
    description:
      'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
    updated: '2016-09-12T10:00:00-00:00',
  },
];

const extensionView = (e: Extension): Doc => ({
  name: e.name,
  alias: e.alias,
  description: e.description,
  updated: e.updated,
  links: [],
});

export function listExtensions(): Doc {
  return { extensions: EXTENSIONS.map(extensionView) };
}

export function showExtension(alias: string): Doc {
  const ext = EXTENSIONS.find((e) => e.alias === alias);
  if (!ext) throw notFound('HTTPNotFound', `Extension with alias ${alias} does not exist`);
  return { extension: extensionView(ext) };
}

/** GET /networking/: the one API version Neutron serves. */
export function versionsDocument(endpointUrl: string): Doc {
  return { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${endpointUrl}/v2.0/`, rel: 'self' }] }] };
}

const RESOURCES: [string, string][] = [
  ['network', 'networks'],
  ['subnet', 'subnets'],
  ['subnetpool', 'subnetpools'],
  ['address_scope', 'address-scopes'],
  ['port', 'ports'],
  ['router', 'routers'],
  ['floatingip', 'floatingips'],
  ['security_group', 'security-groups'],
  ['security_group_rule', 'security-group-rules'],
  ['rbac_policy', 'rbac-policies'],
  ['quota', 'quotas'],
  ['network_ip_availability', 'network-ip-availabilities'],
  ['availability_zone', 'availability_zones'],
  ['extension', 'extensions'],
];

/** GET /networking/v2.0: the resource index. */
export function resourcesDocument(endpointUrl: string): Doc {
  return {
    resources: RESOURCES.map(([name, collection]) => ({
      name,
      collection,
      links: [{ href: `${endpointUrl}/v2.0/${collection}`, rel: 'self' }],
    })),
  };
}

export function listAvailabilityZones(): Doc {
  return {
    availability_zones: [
      { name: 'nova', resource: 'network', state: 'available' },
      { name: 'nova', resource: 'router', state: 'available' },
    ],
  };
}
