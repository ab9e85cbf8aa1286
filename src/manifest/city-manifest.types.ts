/* eslint-disable */
/**
 * GENERATED from city-manifest.schema.json by src/manifest/generate-types.mjs
 * (npm run gen:types). Do not edit: change the schema and regenerate.
 */

/**
 * An e-mail address.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "email".
 */
export type Email = string;
/**
 * An IPv4 address, e.g. 10.10.1.1.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "ipv4".
 */
export type Ipv4 = string;
/**
 * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "name".
 */
export type Name = string;
/**
 * An IPv4 network in CIDR notation, e.g. 10.10.0.0/16.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "ipv4Cidr".
 */
export type Ipv4Cidr = string;
/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. 0.0.0.0/0, 193.146.0.0/24 or ::/0.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "cidr".
 */
export type Cidr = Ipv4Cidr;
/**
 * Approved exceptions to policy rules.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "waivers".
 */
export type Waivers = Waiver[];
/**
 * One thing a partner may reach: the city network (shared by RBAC) or a container.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "partnerAccess".
 */
export type PartnerAccess = NetworkAccess | ContainerAccess;
/**
 * The service's load balancer (Octavia). true: the defaults; false: none, even where the default gives one (a production service on more than one instance); a mapping: its settings.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "loadBalancer".
 */
export type LoadBalancer = boolean | LoadBalancerSettings;
/**
 * HTTPS on the load balancer, which terminates TLS: a certificate and key from files (PEM, paths relative to the manifest), a certificate container already in Barbican, or `generate: true` for one storm issues from a city CA it keeps (not for production on a real cloud). HTTP then redirects to HTTPS.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "tls".
 */
export type Tls = TlsFiles | TlsContainer | TlsGenerated;
/**
 * Where OpenTofu keeps state (default local). Every backend is keyed by city and environment, so two environments never share a state, even with a top-level state.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "state".
 */
export type State = LocalState | PgState | S3State | HttpState;
/**
 * Replaces the rules of the group.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "ruleList".
 */
export type RuleList = Rule[];
/**
 * A calendar date, YYYY-MM-DD.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "isoDate".
 */
export type IsoDate = string;
/**
 * A port or an inclusive range: 22, "443" or "8000-8100" (1..65535).
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "portRange".
 */
export type PortRange = number | string;

/**
 * A city's declarative description of its OpenStack tenancy (stacks/<city>.yaml). storm validates it, merges one environment's overrides into it and synthesizes Terraform from the result.
 */
export interface CityManifest {
  /**
   * Version of this manifest format.
   */
  apiVersion: 'storm/v1';
  city: City;
  tags?: Tags;
  cloud: Cloud;
  network: Network;
  security?: Security;
  compute?: Compute;
  storage?: Storage;
  /**
   * Other public bodies and private companies, and what they may reach.
   */
  partners?: Partner[];
  /**
   * Pilot services from templates/ that run on this tenancy.
   */
  services?: Service[];
  state?: State;
  waivers?: Waivers;
  environments: Environments;
}
/**
 * Who the tenancy belongs to.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "city".
 */
export interface City {
  /**
   * DNS-safe city name; equals the manifest file name (stacks/<name>.yaml).
   */
  name: string;
  /**
   * Human-readable name of the city or its administration.
   */
  displayName: string;
  /**
   * ISO 3166-1 alpha-2 country code, e.g. ES.
   */
  country:
    | 'AD'
    | 'AE'
    | 'AF'
    | 'AG'
    | 'AI'
    | 'AL'
    | 'AM'
    | 'AO'
    | 'AQ'
    | 'AR'
    | 'AS'
    | 'AT'
    | 'AU'
    | 'AW'
    | 'AX'
    | 'AZ'
    | 'BA'
    | 'BB'
    | 'BD'
    | 'BE'
    | 'BF'
    | 'BG'
    | 'BH'
    | 'BI'
    | 'BJ'
    | 'BL'
    | 'BM'
    | 'BN'
    | 'BO'
    | 'BQ'
    | 'BR'
    | 'BS'
    | 'BT'
    | 'BV'
    | 'BW'
    | 'BY'
    | 'BZ'
    | 'CA'
    | 'CC'
    | 'CD'
    | 'CF'
    | 'CG'
    | 'CH'
    | 'CI'
    | 'CK'
    | 'CL'
    | 'CM'
    | 'CN'
    | 'CO'
    | 'CR'
    | 'CU'
    | 'CV'
    | 'CW'
    | 'CX'
    | 'CY'
    | 'CZ'
    | 'DE'
    | 'DJ'
    | 'DK'
    | 'DM'
    | 'DO'
    | 'DZ'
    | 'EC'
    | 'EE'
    | 'EG'
    | 'EH'
    | 'ER'
    | 'ES'
    | 'ET'
    | 'FI'
    | 'FJ'
    | 'FK'
    | 'FM'
    | 'FO'
    | 'FR'
    | 'GA'
    | 'GB'
    | 'GD'
    | 'GE'
    | 'GF'
    | 'GG'
    | 'GH'
    | 'GI'
    | 'GL'
    | 'GM'
    | 'GN'
    | 'GP'
    | 'GQ'
    | 'GR'
    | 'GS'
    | 'GT'
    | 'GU'
    | 'GW'
    | 'GY'
    | 'HK'
    | 'HM'
    | 'HN'
    | 'HR'
    | 'HT'
    | 'HU'
    | 'ID'
    | 'IE'
    | 'IL'
    | 'IM'
    | 'IN'
    | 'IO'
    | 'IQ'
    | 'IR'
    | 'IS'
    | 'IT'
    | 'JE'
    | 'JM'
    | 'JO'
    | 'JP'
    | 'KE'
    | 'KG'
    | 'KH'
    | 'KI'
    | 'KM'
    | 'KN'
    | 'KP'
    | 'KR'
    | 'KW'
    | 'KY'
    | 'KZ'
    | 'LA'
    | 'LB'
    | 'LC'
    | 'LI'
    | 'LK'
    | 'LR'
    | 'LS'
    | 'LT'
    | 'LU'
    | 'LV'
    | 'LY'
    | 'MA'
    | 'MC'
    | 'MD'
    | 'ME'
    | 'MF'
    | 'MG'
    | 'MH'
    | 'MK'
    | 'ML'
    | 'MM'
    | 'MN'
    | 'MO'
    | 'MP'
    | 'MQ'
    | 'MR'
    | 'MS'
    | 'MT'
    | 'MU'
    | 'MV'
    | 'MW'
    | 'MX'
    | 'MY'
    | 'MZ'
    | 'NA'
    | 'NC'
    | 'NE'
    | 'NF'
    | 'NG'
    | 'NI'
    | 'NL'
    | 'NO'
    | 'NP'
    | 'NR'
    | 'NU'
    | 'NZ'
    | 'OM'
    | 'PA'
    | 'PE'
    | 'PF'
    | 'PG'
    | 'PH'
    | 'PK'
    | 'PL'
    | 'PM'
    | 'PN'
    | 'PR'
    | 'PS'
    | 'PT'
    | 'PW'
    | 'PY'
    | 'QA'
    | 'RE'
    | 'RO'
    | 'RS'
    | 'RU'
    | 'RW'
    | 'SA'
    | 'SB'
    | 'SC'
    | 'SD'
    | 'SE'
    | 'SG'
    | 'SH'
    | 'SI'
    | 'SJ'
    | 'SK'
    | 'SL'
    | 'SM'
    | 'SN'
    | 'SO'
    | 'SR'
    | 'SS'
    | 'ST'
    | 'SV'
    | 'SX'
    | 'SY'
    | 'SZ'
    | 'TC'
    | 'TD'
    | 'TF'
    | 'TG'
    | 'TH'
    | 'TJ'
    | 'TK'
    | 'TL'
    | 'TM'
    | 'TN'
    | 'TO'
    | 'TR'
    | 'TT'
    | 'TV'
    | 'TW'
    | 'TZ'
    | 'UA'
    | 'UG'
    | 'UM'
    | 'US'
    | 'UY'
    | 'UZ'
    | 'VA'
    | 'VC'
    | 'VE'
    | 'VG'
    | 'VI'
    | 'VN'
    | 'VU'
    | 'WF'
    | 'WS'
    | 'YE'
    | 'YT'
    | 'ZA'
    | 'ZM'
    | 'ZW';
  /**
   * Languages the services speak (BCP 47), first is the default.
   *
   * @minItems 1
   */
  languages: [string, ...string[]];
  /**
   * The team that runs the tenancy.
   */
  owner: {
    /**
     * Team name.
     */
    team: string;
    email: Email;
  };
  /**
   * People to call about this tenancy.
   */
  contacts?: {
    /**
     * Name.
     */
    name: string;
    email: Email;
    /**
     * Role, e.g. service-owner, security, dpo.
     */
    role?: string;
    /**
     * Phone number in international form.
     */
    phone?: string;
  }[];
  labels?: Labels;
}
/**
 * Free-form key/value labels.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "labels".
 */
export interface Labels {
  [k: string]: string | undefined;
}
/**
 * Tags applied to every resource that supports them. Policy requires owner, cost-centre and data-classification.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "tags".
 */
export interface Tags {
  [k: string]: string | undefined;
}
/**
 * Where the tenancy runs.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "cloud".
 */
export interface Cloud {
  /**
   * Cloud name in clouds.yaml, or "sandbox" for storm's local cloud.
   */
  name: string;
  /**
   * Project (name or id) the city lives in: storm scopes its token to it for every command (default: the credentials' own project).
   */
  project?: string;
  /**
   * Region name.
   */
  region?: string;
  /**
   * Name of the provider network the router and floating IPs use.
   */
  externalNetwork: string;
  /**
   * Availability zones instances may use.
   *
   * @minItems 1
   */
  availabilityZones?: [string, ...string[]];
}
/**
 * The city network: one tenant network with its subnets and a router.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "network".
 */
export interface Network {
  /**
   * Network name (defaults to the city name).
   */
  name?: string;
  /**
   * The address space every subnet lies in.
   */
  cidr: string;
  /**
   * MTU of the network.
   */
  mtu?: number;
  /**
   * Default DNS servers for subnets.
   *
   * @maxItems 5
   */
  dnsServers?:
    [] | [Ipv4] | [Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4, Ipv4];
  /**
   * Subnets; names are referenced by compute groups.
   *
   * @minItems 1
   */
  subnets: [Subnet, ...Subnet[]];
  /**
   * Router connecting the subnets to the external network.
   */
  router?: {
    /**
     * Attach the router to cloud.externalNetwork.
     */
    externalGateway?: boolean;
  };
}
/**
 * A subnet of the city network.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "subnet".
 */
export interface Subnet {
  name: Name;
  cidr: Ipv4Cidr;
  gatewayIp?: Ipv4;
  /**
   * DNS servers for this subnet (defaults to network.dnsServers).
   *
   * @maxItems 5
   */
  dnsServers?:
    [] | [Ipv4] | [Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4, Ipv4];
  /**
   * Address ranges DHCP hands out.
   */
  allocationPools?: AllocationPool[];
  /**
   * Whether DHCP runs on the subnet.
   */
  enableDhcp?: boolean;
}
/**
 * A range of addresses DHCP hands out.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "allocationPool".
 */
export interface AllocationPool {
  start: Ipv4;
  end: Ipv4;
}
/**
 * Firewalling.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "security".
 */
export interface Security {
  /**
   * Networks the operators administer from; a rule with remote "admin" expands to these.
   */
  adminCidrs?: Cidr[];
  /**
   * Security groups; names are referenced by compute groups and remoteGroup.
   */
  groups?: SecurityGroup[];
}
/**
 * A security group.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "securityGroup".
 */
export interface SecurityGroup {
  name: Name;
  /**
   * What the group is for.
   */
  description?: string;
  /**
   * Rules; egress to anywhere is allowed by default.
   */
  rules?: Rule[];
  waivers?: Waivers;
}
/**
 * A security group rule. Exactly one of remote / remoteGroup.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "rule".
 */
export interface Rule {
  /**
   * Traffic direction.
   */
  direction: 'ingress' | 'egress';
  /**
   * IP protocol; "any" matches all.
   */
  protocol: 'tcp' | 'udp' | 'icmp' | 'any';
  /**
   * tcp/udp only: a port or range; absent means all ports.
   */
  ports?: number | string;
  /**
   * Where traffic comes from (ingress) or goes to (egress): a CIDR, or "admin" for every security.adminCidrs entry.
   */
  remote?: 'admin' | Cidr;
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  remoteGroup?: string;
  /**
   * Why the rule exists.
   */
  description?: string;
  waivers?: Waivers;
}
/**
 * An approved exception to one policy rule, kept next to what it waives.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "waiver".
 */
export interface Waiver {
  /**
   * Id or name of the policy rule waived, e.g. "STORM-SEC-001".
   */
  rule: string;
  /**
   * Why the exception is needed.
   */
  reason: string;
  /**
   * Who approved it (name or role, and e-mail).
   */
  approvedBy: string;
  /**
   * Last day the waiver is valid; an expired waiver is itself a violation.
   */
  expires: string;
  /**
   * Top-level waivers only: dotted path of what is waived, e.g. "compute.groups.web".
   */
  target?: string;
}
/**
 * Instances.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "compute".
 */
export interface Compute {
  /**
   * SSH key pairs to register.
   */
  keypairs?: Keypair[];
  /**
   * Instance groups; names are referenced by services.
   */
  groups?: ComputeGroup[];
}
/**
 * An SSH key pair registered in the cloud.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "keypair".
 */
export interface Keypair {
  /**
   * Key pair name.
   */
  name: string;
  /**
   * The OpenSSH public key (never a private key).
   */
  publicKey: string;
}
/**
 * A group of identical instances.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "computeGroup".
 */
export interface ComputeGroup {
  name: Name;
  /**
   * Flavor name, e.g. m1.small.
   */
  flavor: string;
  /**
   * Image name, e.g. debian-12.
   */
  image: string;
  /**
   * How many instances.
   */
  count?: number;
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  subnet: string;
  /**
   * Names of security groups applied to the instances.
   */
  securityGroups?: Name[];
  /**
   * Spread instances across hypervisors with an anti-affinity server group.
   */
  antiAffinity?: boolean;
  /**
   * Name of a key pair in compute.keypairs (default: the only one, if there is exactly one).
   */
  keypair?: string;
  /**
   * Names of storage.volumes; each instance gets its own volume of that definition.
   */
  volumes?: Name[];
  /**
   * Give each instance a floating IP from cloud.externalNetwork.
   */
  floatingIp?: boolean;
  /**
   * Availability zone (one of cloud.availabilityZones).
   */
  availabilityZone?: string;
  /**
   * Instance metadata (key/value strings).
   */
  metadata?: {
    [k: string]: string | undefined;
  };
  /**
   * The instances process personal data (GDPR).
   */
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * Block volumes and object storage.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "storage".
 */
export interface Storage {
  /**
   * Volume definitions, attached through compute.groups[].volumes.
   */
  volumes?: Volume[];
  /**
   * Object storage containers.
   */
  containers?: Container[];
}
/**
 * A block storage volume definition.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "volume".
 */
export interface Volume {
  name: Name;
  /**
   * Size in GiB.
   */
  size: number;
  /**
   * Volume type, e.g. standard or encrypted.
   */
  type?: string;
  /**
   * What the volume holds.
   */
  description?: string;
  /**
   * The volume holds personal data (GDPR): policy wants an encrypted type.
   */
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * An object storage container.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "container".
 */
export interface Container {
  /**
   * Container name.
   */
  name: string;
  /**
   * Who may read without credentials.
   */
  acl?: 'private' | 'public-read';
  /**
   * Keep old versions of objects.
   */
  versioning?: boolean;
  /**
   * Published open data: the only reason a container may be public.
   */
  openData?: boolean;
  /**
   * The container holds personal data (GDPR).
   */
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * A partner organisation.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "partner".
 */
export interface Partner {
  name: Name;
  /**
   * public body or private company.
   */
  kind: 'public' | 'private';
  /**
   * The partner's OpenStack project id or name.
   */
  project: string;
  /**
   * Who they are and why they have access.
   */
  description?: string;
  /**
   * What they may reach.
   *
   * @minItems 1
   */
  access: [PartnerAccess, ...PartnerAccess[]];
  waivers?: Waivers;
}
/**
 * Share the city network with the partner project (Neutron RBAC access_as_shared).
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "networkAccess".
 */
export interface NetworkAccess {
  /**
   * The network name or the name of one of its subnets.
   */
  network: string;
  /**
   * read: attach ports; write is not possible for networks.
   */
  mode?: 'read' | 'write';
}
/**
 * Let the partner project read (or write) a container.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "containerAccess".
 */
export interface ContainerAccess {
  /**
   * Name of a storage.containers entry.
   */
  container: string;
  /**
   * read or write.
   */
  mode?: 'read' | 'write';
}
/**
 * A pilot service from templates/.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "service".
 */
export interface Service {
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  name?: string;
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  template: string;
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  on: string;
  /**
   * The template's parameters (checked against its parameter schema).
   */
  parameters?: {};
  loadBalancer?: LoadBalancer;
  tls?: Tls;
  dns?: Dns;
  /**
   * The service processes personal data (GDPR).
   */
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * The settings of a service's load balancer.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "loadBalancerSettings".
 */
export interface LoadBalancerSettings {
  /**
   * How the pool spreads connections over the instances.
   */
  algorithm?: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP';
  healthCheck?: HealthCheck;
  /**
   * Keep a client on one instance: by source address, or by a cookie the load balancer sets.
   */
  sessionPersistence?: 'SOURCE_IP' | 'HTTP_COOKIE';
}
/**
 * The health monitor that takes failing instances out of the pool.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "healthCheck".
 */
export interface HealthCheck {
  /**
   * HTTP path probed on each instance (default: the template's health check).
   */
  path?: string;
  /**
   * Seconds between probes.
   */
  interval?: number;
  /**
   * Seconds a probe may take; must be less than interval.
   */
  timeout?: number;
  /**
   * Failed probes before an instance is taken out (and successful ones before it comes back).
   */
  retries?: number;
}
/**
 * A certificate and its private key from PEM files of the project.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "tlsFiles".
 */
export interface TlsFiles {
  /**
   * PEM certificate file (the chain may follow the certificate).
   */
  certificate: string;
  /**
   * PEM private key file of the certificate (not encrypted).
   */
  key: string;
}
/**
 * A certificate container already in Barbican.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "tlsContainer".
 */
export interface TlsContainer {
  /**
   * href of a Barbican certificate container the project can read.
   */
  container: string;
}
/**
 * A certificate storm issues from the city CA it keeps.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "tlsGenerated".
 */
export interface TlsGenerated {
  /**
   * storm issues the certificate from the city CA it keeps under .storm/ (any environment but production, and production on the storm sandbox).
   */
  generate: true;
}
/**
 * The service's name in Designate: an A record in `zone` pointing at the load balancer's floating IP.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "dns".
 */
export interface Dns {
  /**
   * DNS zone, fully qualified with its final dot, e.g. valladolid.example. — storm creates it in the project.
   */
  zone: string;
  /**
   * Record name inside the zone, e.g. urbanismo (default: the service name).
   */
  name?: string;
  /**
   * An e-mail address.
   */
  email?: string;
}
/**
 * State in <path>/<city>/<env>/terraform.tfstate (default path .storm/state).
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "localState".
 */
export interface LocalState {
  backend: 'local';
  /**
   * Folder for state files, relative to the project: storm keeps <path>/<city>/<env>/terraform.tfstate in it.
   */
  path?: string;
}
/**
 * State in PostgreSQL; the connection string is read from an environment variable at run time.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "pgState".
 */
export interface PgState {
  backend: 'pg';
  /**
   * Name of the environment variable holding the connection string.
   */
  connectionStringEnv: string;
  /**
   * Database schema (default storm_<city>_<env>); validation refuses one that two environments would share.
   */
  schemaName?: string;
}
/**
 * State in S3-compatible object storage (e.g. Swift S3 API) at <key>/<city>/<env>/terraform.tfstate (key is a prefix, default storm); credentials come from AWS_* environment variables, never from the manifest.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "s3State".
 */
export interface S3State {
  backend: 's3';
  /**
   * OpenTofu s3 backend settings (no secrets).
   */
  config: {
    [k: string]: (string | number | boolean) | undefined;
  };
}
/**
 * State behind an HTTP endpoint: address (and lock_address, unlock_address) are base URLs to which storm appends /<city>/<env>; credentials come from TF_HTTP_USERNAME / TF_HTTP_PASSWORD, never from the manifest.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "httpState".
 */
export interface HttpState {
  backend: 'http';
  /**
   * OpenTofu http backend settings (no secrets).
   */
  config: {
    [k: string]: (string | number | boolean) | undefined;
  };
}
/**
 * Environments: preprod and production are required (a service moves through pre-production to production); others may be added.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "environments".
 */
export interface Environments {
  [k: string]: Environment | undefined;
}
/**
 * What differs in this environment. Items are named by their name; only the listed fields change.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "environment".
 */
export interface Environment {
  /**
   * What the environment is for.
   */
  description?: string;
  /**
   * Changes to the cloud target.
   */
  cloud?: {
    name?: string;
    region?: string;
    externalNetwork?: string;
    /**
     * Zones.
     *
     * @minItems 1
     */
    availabilityZones?: [string, ...string[]];
  };
  tags?: Tags;
  /**
   * Changes to the network.
   */
  network?: {
    /**
     * DNS servers.
     *
     * @maxItems 5
     */
    dnsServers?:
      [] | [Ipv4] | [Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4, Ipv4];
    /**
     * Keyed by subnet name.
     */
    subnets?: {
      [k: string]: SubnetOverride | undefined;
    };
  };
  /**
   * Changes to security.
   */
  security?: {
    /**
     * Replaces security.adminCidrs.
     */
    adminCidrs?: Cidr[];
    /**
     * Keyed by group name.
     */
    groups?: {
      [k: string]: SecurityGroupOverride | undefined;
    };
  };
  /**
   * Changes to compute.
   */
  compute?: {
    /**
     * Keyed by group name.
     */
    groups?: {
      [k: string]: ComputeGroupOverride | undefined;
    };
  };
  /**
   * Changes to storage.
   */
  storage?: {
    /**
     * Keyed by volume name.
     */
    volumes?: {
      [k: string]: VolumeOverride | undefined;
    };
    /**
     * Keyed by container name.
     */
    containers?: {
      [k: string]: ContainerOverride | undefined;
    };
  };
  /**
   * Keyed by service name.
   */
  services?: {
    [k: string]: ServiceOverride | undefined;
  };
  /**
   * Keyed by partner name.
   */
  partners?: {
    [k: string]: PartnerOverride | undefined;
  };
  state?: State;
  waivers?: Waivers;
}
/**
 * Changes to one subnet in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "subnetOverride".
 */
export interface SubnetOverride {
  cidr?: Ipv4Cidr;
  gatewayIp?: Ipv4;
  /**
   * DNS servers.
   *
   * @maxItems 5
   */
  dnsServers?:
    [] | [Ipv4] | [Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4] | [Ipv4, Ipv4, Ipv4, Ipv4, Ipv4];
  /**
   * Address ranges.
   */
  allocationPools?: AllocationPool[];
  /**
   * DHCP.
   */
  enableDhcp?: boolean;
}
/**
 * Changes to one security group in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "securityGroupOverride".
 */
export interface SecurityGroupOverride {
  description?: string;
  rules?: RuleList;
  waivers?: Waivers;
}
/**
 * Changes to one compute group in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "computeGroupOverride".
 */
export interface ComputeGroupOverride {
  /**
   * Flavor name.
   */
  flavor?: string;
  /**
   * Image name.
   */
  image?: string;
  count?: number;
  subnet?: Name;
  /**
   * Security groups.
   */
  securityGroups?: Name[];
  antiAffinity?: boolean;
  keypair?: string;
  /**
   * Volumes.
   */
  volumes?: Name[];
  floatingIp?: boolean;
  availabilityZone?: string;
  metadata?: {
    [k: string]: string | undefined;
  };
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * Changes to one volume in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "volumeOverride".
 */
export interface VolumeOverride {
  size?: number;
  type?: string;
  description?: string;
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * Changes to one container in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "containerOverride".
 */
export interface ContainerOverride {
  acl?: 'private' | 'public-read';
  versioning?: boolean;
  openData?: boolean;
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * Changes to one service in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "serviceOverride".
 */
export interface ServiceOverride {
  on?: Name;
  /**
   * Merged key by key into the service parameters.
   */
  parameters?: {};
  loadBalancer?: LoadBalancer;
  tls?: Tls;
  dns?: Dns;
  personalData?: boolean;
  waivers?: Waivers;
}
/**
 * Changes to one partner in this environment.
 *
 * This interface was referenced by `CityManifest`'s JSON-Schema
 * via the `definition` "partnerOverride".
 */
export interface PartnerOverride {
  project?: string;
  description?: string;
  /**
   * Replaces the access list.
   *
   * @minItems 1
   */
  access?: [PartnerAccess, ...PartnerAccess[]];
  waivers?: Waivers;
}
