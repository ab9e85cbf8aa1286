/** Serves files from one directory, refusing anything that escapes it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as http from 'node:http';
import { HttpError, send } from './http';

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

export function contentTypeFor(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export function serveFile(res: http.ServerResponse, root: string, relative: string): void {
  const base = path.resolve(root);
  const file = path.resolve(base, relative);
  if (!file.startsWith(base + path.sep)) throw new HttpError(404, 'not found');
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch {
    throw new HttpError(404, 'not found');
  }
  send(res, 200, contentTypeFor(file), content, { 'Cache-Control': 'public, max-age=300' });
}
