/**
 * The versions storm pins and where they come from. Changing a pin here changes
 * what bootstrap builds and the cache path it builds into.
 */
export const TOFU_MODULE = 'github.com/opentofu/opentofu';
export const TOFU_VERSION = '1.12.6';
/** Without this ldflag the build reports "1.12.6-dev". */
export const TOFU_LDFLAGS = '-X github.com/opentofu/opentofu/version.dev=no';

export const PROVIDER_MODULE = 'github.com/terraform-provider-openstack/terraform-provider-openstack/v3';
export const PROVIDER_NAMESPACE = 'terraform-provider-openstack';
export const PROVIDER_TYPE = 'openstack';
export const PROVIDER_VERSION = '3.4.0';
/** OpenTofu resolves the short source to the first host, Terraform to the second; storm mirrors both. */
export const PROVIDER_HOSTS = ['registry.opentofu.org', 'registry.terraform.io'] as const;

/** Oldest engine storm accepts from STORM_TOFU or PATH. */
export const MIN_ENGINE_VERSION = '1.8.0';
/** Oldest Go storm tries to build with (older Go cannot switch toolchains reliably). */
export const MIN_GO_VERSION = '1.24.0';
