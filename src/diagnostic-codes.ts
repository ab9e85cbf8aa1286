/**
 * The one registry of diagnostic codes (Diagnostic.code): each fixed code with what it
 * means, and the families whose codes are made from another registry (policy rule ids,
 * the stage of a failed tofu run, the kind of a cloud name pre-flight did not find, a
 * manifest code re-used for a service's parameters). Scripts match on these codes
 * (`--json`), so a new code is added here first.
 */

export const DIAGNOSTIC_CODES = {
  // The manifest: YAML, schema, semantic checks (manifest/).
  'manifest.alias-bomb': 'YAML aliases expand beyond the limit',
  'manifest.ambiguous-keypair': 'a compute group must name its key pair: there are several',
  'manifest.broken-template': "a service's template is itself invalid, so its parameters cannot be checked",
  'manifest.cidr-host-bits': 'a CIDR has host bits set',
  'manifest.city-name-mismatch': 'city.name differs from the file name',
  'manifest.duplicate-entry': 'a list repeats an entry',
  'manifest.duplicate-key': 'a mapping repeats a key',
  'manifest.duplicate-name': 'two items of a collection share a name',
  'manifest.duplicate-rule': 'a security group repeats a rule',
  'manifest.floating-ip-unreachable': 'a floating IP on a subnet with no route to the external network',
  'manifest.gateway-outside-subnet': 'a gateway that is not a usable address of its subnet',
  'manifest.invalid-access': 'a sharing access mode Neutron RBAC does not have',
  'manifest.invalid-address': 'not an IPv4 address',
  'manifest.invalid-allocation-pool': 'an allocation pool that starts after it ends',
  'manifest.invalid-cidr': 'not a valid CIDR',
  'manifest.invalid-key': 'a key the schema does not allow here',
  'manifest.invalid-value': 'a value outside the allowed ones',
  'manifest.missing-key': 'a required key is missing',
  'manifest.no-admin-cidrs': '`remote: admin` with no security.adminCidrs',
  'manifest.no-templates': 'templates/ holds no template, so service templates were not checked',
  'manifest.not-a-mapping': 'the document is not a YAML mapping',
  'manifest.out-of-range': 'a number out of its range',
  'manifest.overlapping-pools': 'two allocation pools overlap',
  'manifest.overlapping-subnets': 'two subnets overlap',
  'manifest.pool-contains-gateway': 'an allocation pool contains the gateway',
  'manifest.pool-outside-subnet': 'an allocation pool outside the usable addresses of its subnet',
  'manifest.port-out-of-range': 'a port outside 1..65535',
  'manifest.port-range-reversed': 'a port range that starts after it ends',
  'manifest.ports-without-protocol': 'ports on a protocol other than tcp or udp',
  'manifest.dns-zone-not-absolute': 'a DNS zone without its final dot',
  'manifest.front-door-off': 'tls or dns on a service with `loadBalancer: false`',
  'manifest.health-check-timeout': 'a load balancer health check whose timeout is not below its interval',
  'manifest.tls-expired': 'a TLS certificate that has expired or is not valid yet',
  'manifest.tls-file-missing': 'a TLS certificate or key file that cannot be read',
  'manifest.tls-file-outside-project': 'a TLS file named by an absolute path or outside the project',
  'manifest.tls-generated-in-production': "a certificate from storm's city CA for production on a real cloud",
  'manifest.tls-invalid-file': 'a TLS file that is not a PEM certificate or a clear PEM private key',
  'manifest.tls-key-mismatch': 'a TLS private key that does not belong to its certificate',
  'manifest.tls-name-mismatch': "a TLS certificate that does not cover the service's DNS name",
  'manifest.tls-without-name': 'a generated certificate for a service without a DNS name',
  'manifest.production-without-anti-affinity': 'several production instances without anti-affinity',
  'manifest.rule-remote': 'a security rule with no remote, or more than one',
  'manifest.secret-in-state-config':
    'an s3/http state backend setting holds a credential (it comes from the environment)',
  'manifest.shared-state': 'two environments would share one state (an explicit pg schemaName)',
  'manifest.subnet-exhausted': 'a subnet without room for the instance ports it gets',
  'manifest.subnet-outside-network': 'a subnet outside the network CIDR',
  'manifest.subnet-too-small': 'a subnet that leaves no room for instances',
  'manifest.too-large': 'a manifest file over the size limit',
  'manifest.unknown-key': 'a key the schema does not know',
  'manifest.unknown-override': 'an environment overrides an item that does not exist',
  'manifest.unknown-reference': 'a reference to an item that does not exist',
  'manifest.unknown-template': 'a service names a template templates/ does not hold',
  'manifest.unknown-waiver-target': 'a waiver names a rule or item that does not exist',
  'manifest.volume-shared': 'a volume attached to two compute groups',
  'manifest.wrong-type': 'a value of the wrong type',
  'manifest.yaml-syntax': 'YAML syntax error',
  'manifest.yaml-warning': 'a YAML warning',
  // Service templates (manifest/templates.ts).
  'template.duplicate-container': 'a template declares a container twice',
  'template.duplicate-tier': 'a template declares a tier twice',
  'template.duplicate-volume': 'a tier declares a volume twice',
  'template.invalid-default': "a parameter's default does not match its own schema",
  'template.missing-seed': 'seedFrom is not a directory of the template',
  'template.name-mismatch': 'a template name differs from its directory',
  'template.open-data-private': 'an open-data container that is not public-read',
  'template.parameter-without-default': 'a parameter without a default',
  'template.parameters-schema': 'parameters is not a valid JSON Schema',
  'template.service-port-closed': "a tier's service port is not among its ports",
  'template.too-large': 'a template.yaml over the size limit',
  'template.unknown-tier': 'a port opened to a tier that does not exist',
  'template.unreadable': 'a template.yaml storm cannot read',
  // Pre-flight against the target cloud (cloud/preflight.ts).
  'preflight.flavor-too-small': 'a flavor too small for its image',
  'preflight.no-compute-service': 'instances asked of a cloud with no compute service',
  'preflight.missing-service': 'a front door needs Octavia, Barbican or Designate and the catalog lacks it',
  'preflight.missing-extension': 'a networking extension the stack needs (e.g. rbac-policies) that the cloud lacks',
  'preflight.microversion': 'a compute microversion the stack needs that the cloud does not offer',
  'preflight.quota-exceeded': 'the run needs more than the free quota',
  // Synthesis (synth/).
  'synth.user-data-omitted': 'service instances synthesized without their user data (no target cloud)',
} as const satisfies Record<string, string>;

export type FixedDiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Codes made from another registry; each pattern says which. */
export const DIAGNOSTIC_CODE_FAMILIES = {
  'STORM-<FAMILY>-<NNN>': 'a policy rule (audit/rules/), by its id',
  'tofu.<stage>': 'a failed tofu run (init, plan, apply, show, state-pull, import, …)',
  'preflight.unknown-<kind>': 'a name the target cloud does not have (flavor, image, external-network, …)',
  'service.parameters.<manifest code>': "a manifest code, found in a service's parameters",
} as const;

/** A policy rule's id, STORM-<FAMILY>-NNN (audit/rules/). */
export type PolicyRuleId = `STORM-${string}-${string}`;

export type DiagnosticCode =
  | FixedDiagnosticCode
  | PolicyRuleId
  | `tofu.${string}`
  | `preflight.unknown-${string}`
  | `service.parameters.${string}`;

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return (
    Object.hasOwn(DIAGNOSTIC_CODES, code) ||
    /^STORM-[A-Z]+-\d+$/.test(code) ||
    /^tofu\.[a-z-]+$/.test(code) ||
    /^preflight\.unknown-[a-z-]+$/.test(code) ||
    /^service\.parameters\.[a-z-]+$/.test(code)
  );
}
