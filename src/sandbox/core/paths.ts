/**
 * Every file path the sandbox derives from a request (an image id, a blob
 * name, a volume id, a release version, a service's entry script) goes through
 * here: it must name something inside its root directory. A client-chosen
 * `../../x` or an absolute path would otherwise let a tenant write, read or
 * delete the host's files.
 */
import * as path from 'node:path';

/** A path derived from a request would leave its directory: the request is refused (400 in the service's style). */
export class PathEscapeError extends Error {
  readonly statusCode = 400;
  constructor(what: string) {
    super(`Invalid ${what}: it must name a file inside the sandbox's data directory.`);
    this.name = 'PathEscapeError';
  }
}

/**
 * One path segment: no separator, no NUL, not '.' or '..', not empty. Used for
 * names that must stay a single directory entry (ids, versions).
 */
export function isSafeSegment(segment: string): boolean {
  return (
    segment !== '' &&
    segment !== '.' &&
    segment !== '..' &&
    !segment.includes('/') &&
    !segment.includes('\\') &&
    !segment.includes('\0')
  );
}

/**
 * root/segment/segment/…, each segment a single safe entry and the result
 * inside root; throws PathEscapeError otherwise.
 */
export function pathInside(root: string, what: string, ...segments: string[]): string {
  for (const s of segments) if (!isSafeSegment(s)) throw new PathEscapeError(what);
  return checkedInside(root, path.join(root, ...segments), what);
}

/**
 * A relative path below root with forward slashes (a service's entry script,
 * `dist/app/main.js`): no absolute path, no '..' or '.' segment, no empty segment.
 */
export function relativePathInside(root: string, what: string, relative: string): string {
  if (relative.startsWith('/') || path.isAbsolute(relative)) throw new PathEscapeError(what);
  return pathInside(root, what, ...relative.split('/'));
}

function checkedInside(root: string, candidate: string, what: string): string {
  const base = path.resolve(root);
  const resolved = path.resolve(candidate);
  if (resolved === base || !resolved.startsWith(base + path.sep)) throw new PathEscapeError(what);
  return resolved;
}
