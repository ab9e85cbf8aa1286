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

/**
 * The module hashes (`h1:`, Go's dirhash of the module zip) the Go checksum
 * database records for the pinned versions (sum.golang.org lookup, as
 * `go mod download -json` prints them in `Sum`). storm checks the downloaded
 * source against them before building, whatever the machine's Go settings.
 */
export const TOFU_MODULE_SUM = 'h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98=';
export const PROVIDER_MODULE_SUM = 'h1:Ap8gvameIY5ZM7CMh7fngP/VoIyeupzKX3izoyfp9yg=';

/**
 * The Go toolchain storm builds with (GOTOOLCHAIN): the go on PATH fetches it
 * through the module proxy when it is another version, verified by the
 * checksum database. One toolchain, -trimpath and no cgo make the same bytes
 * on every machine, which is what lets the provider's lock hashes be committed
 * (src/engine/provider.lock.hcl).
 */
export const GO_TOOLCHAIN = 'go1.26.8';

/** Bumped when how storm builds changes, so a cache built the old way is built again. */
export const BUILD_RECIPE = 2;
