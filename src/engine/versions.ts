/** Parsing and comparing the version strings tofu, terraform and go print. */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** e.g. "dev", "beta1"; empty for a release. */
  prerelease: string;
}

export function parseSemVer(text: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? '0'), prerelease: m[4] ?? '' };
}

/** Negative, zero or positive like a sort comparator; a prerelease sorts before its release. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

export function atLeast(version: string, minimum: string): boolean {
  const v = parseSemVer(version);
  const m = parseSemVer(minimum);
  if (v === undefined || m === undefined) return false;
  return compareSemVer({ ...v, prerelease: '' }, m) >= 0;
}

/** `tofu version -json` / `terraform version -json` → "1.12.6" (undefined if not that shape). */
export function parseEngineVersionJson(stdout: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const v = (doc as Record<string, unknown>).terraform_version;
  if (typeof v !== 'string' || parseSemVer(v) === undefined) return undefined;
  return v;
}

/** `go version` → "1.26.8" ("go version go1.26.8 linux/amd64"; also "go1.24rc1"). */
export function parseGoVersion(stdout: string): string | undefined {
  const m = /\bgo(\d+\.\d+(?:\.\d+)?)([a-z]+\d*)?\s/.exec(`${stdout} `);
  if (m === null || m[1] === undefined) return undefined;
  const parts = m[1].split('.');
  const base = parts.length === 2 ? `${m[1]}.0` : m[1];
  return m[2] === undefined ? base : `${base}-${m[2]}`;
}
