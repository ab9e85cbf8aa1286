/**
 * A template's deployable artifact: a gzipped ustar archive of its
 * template.yaml, seed/ and compiled dist/ — everything the instance runs, no
 * npm dependencies. Packing is deterministic (sorted entries, zero mtimes and
 * owners), so the same sources give the same bytes and the same ETag in object
 * storage: re-deploying an unchanged template changes nothing on instances.
 *
 * Pure JavaScript on purpose: storm runs no subprocess outside engine/tofu.ts,
 * and the sandbox unpacks artifacts with `unpackArtifact` the same way.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { StormError } from '../errors';
import type { LoadedTemplate } from '../manifest/templates';

export interface ArtifactFile {
  /** Path inside the archive, with forward slashes. */
  path: string;
  content: Buffer;
  executable?: boolean;
}

export interface PackedArtifact {
  name: string;
  version: string;
  /** The .tar.gz bytes. */
  bytes: Buffer;
  sha256: string;
  files: string[];
}

/** Metadata written at the artifact's root. */
export const ARTIFACT_METADATA = 'storm-artifact.json';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new StormError('deploy', `path too long for an artifact: ${name}`);
}

function header(entry: { path: string; size: number; mode: number; type: '0' | '5' }): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(entry.path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(entry.size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(entry.type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** A deterministic .tar.gz of the given files (directories are implied by paths). */
export function tarGzip(files: readonly ArtifactFile[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dirs = new Set<string>();
  for (const f of sorted) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  const chunks: Buffer[] = [];
  for (const d of [...dirs].sort()) chunks.push(header({ path: d, size: 0, mode: 0o755, type: '5' }));
  for (const f of sorted) {
    chunks.push(
      header({ path: f.path, size: f.content.length, mode: f.executable === true ? 0o755 : 0o644, type: '0' }),
    );
    chunks.push(f.content);
    const pad = (BLOCK - (f.content.length % BLOCK)) % BLOCK;
    if (pad > 0) chunks.push(Buffer.alloc(pad, 0));
  }
  chunks.push(Buffer.alloc(BLOCK * 2, 0));
  return zlib.gzipSync(Buffer.concat(chunks), { level: 9 });
}

function collect(root: string, relative: string, out: ArtifactFile[], skip: (rel: string) => boolean): void {
  const abs = path.join(root, relative);
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.name.startsWith('.') || skip(rel)) continue;
    if (entry.isDirectory()) collect(root, rel, out, skip);
    else if (entry.isFile()) out.push({ path: rel, content: fs.readFileSync(path.join(root, rel)) });
  }
}

/** Packs a built template; fails with what to run when dist/ is missing. */
export function packTemplateArtifact(template: LoadedTemplate): PackedArtifact {
  const def = template.definition;
  const entry = path.join(template.dir, def.runtime.entry);
  if (!fs.existsSync(entry)) {
    throw new StormError(
      'deploy',
      `template ${def.name} is not built: ${path.relative(process.cwd(), entry) || entry} is missing`,
      {
        hint: 'build the pilot applications with `npx tsc -b templates` (part of `npm run build`)',
      },
    );
  }
  const files: ArtifactFile[] = [
    { path: 'template.yaml', content: fs.readFileSync(path.join(template.dir, 'template.yaml')) },
  ];
  collect(
    template.dir,
    'dist',
    files,
    (rel) => rel.endsWith('.d.ts') || rel.endsWith('.tsbuildinfo') || rel.endsWith('.map'),
  );
  if (fs.existsSync(path.join(template.dir, 'seed')))
    collect(template.dir, 'seed', files, (rel) => rel.endsWith('.mjs'));
  const listed = files.map((f) => f.path).sort();
  const metadata = {
    name: def.name,
    version: def.version,
    entry: def.runtime.entry,
    node: def.runtime.node,
    files: listed,
  };
  files.push({ path: ARTIFACT_METADATA, content: Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`) });
  const bytes = tarGzip(files);
  return {
    name: def.name,
    version: def.version,
    bytes,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    files: [...listed, ARTIFACT_METADATA].sort(),
  };
}

function readString(buf: Buffer, start: number, length: number): string {
  const raw = buf.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/** Largest unpacked (tar) size of an artifact: the pilots' are a few megabytes. */
export const MAX_UNPACKED_BYTES = 128 * 1024 * 1024;

/**
 * Unpacks a .tar.gz made by `tarGzip` (or any plain ustar archive of files and
 * directories) into `dest`. Entries that would land outside `dest`, links and
 * devices are refused: an artifact is data fetched over the network.
 */
export function unpackArtifact(archive: Buffer, dest: string, maxUnpackedBytes = MAX_UNPACKED_BYTES): string[] {
  let tar: Buffer;
  try {
    // Capped: a few kilobytes of gzip can inflate to gigabytes (a "gzip bomb").
    tar = zlib.gunzipSync(archive, { maxOutputLength: maxUnpackedBytes });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new StormError('deploy', `artifact unpacks to more than ${maxUnpackedBytes} bytes; refused`);
    throw e;
  }
  const root = path.resolve(dest);
  fs.mkdirSync(root, { recursive: true });
  const written: string[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = readString(h, 0, 100);
    const prefix = readString(h, 345, 155);
    const full = prefix === '' ? name : `${prefix}/${name}`;
    const size = parseInt(readString(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] ?? 0x30);
    const mode = parseInt(readString(h, 100, 8).trim() || '644', 8);
    offset += BLOCK;
    const target = path.resolve(root, full);
    if (target !== root && !target.startsWith(root + path.sep))
      throw new StormError('deploy', `artifact entry escapes its directory: ${full}`);
    if (type === '5') {
      fs.mkdirSync(target, { recursive: true });
    } else if (type === '0' || type === '\0') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, tar.subarray(offset, offset + size), { mode: mode & 0o755 });
      written.push(full);
    } else {
      throw new StormError(
        'deploy',
        `artifact entry ${full} has unsupported type ${JSON.stringify(type)} (only files and directories)`,
      );
    }
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return written;
}

/** A file the deploy step uploads into one of the city's containers (template.yaml `seedFrom`). */
export interface SeedObject {
  container: string;
  /** Object name: the file's path below the seed directory. */
  name: string;
  content: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

/** Every seed object of a template's containers, sorted by container and name. */
export function containerSeedObjects(template: LoadedTemplate): SeedObject[] {
  const out: SeedObject[] = [];
  for (const c of template.definition.needs.containers) {
    if (c.seedFrom === undefined) continue;
    const files: ArtifactFile[] = [];
    collect(path.join(template.dir, c.seedFrom), '', files, () => false);
    for (const f of files)
      out.push({
        container: c.name,
        name: f.path,
        content: f.content,
        contentType: CONTENT_TYPES[path.extname(f.path).toLowerCase()] ?? 'application/octet-stream',
      });
  }
  return out.sort((a, b) => (a.container + '/' + a.name < b.container + '/' + b.name ? -1 : 1));
}
