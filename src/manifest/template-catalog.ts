/**
 * Which service templates exist: the directories of templates/ that hold a
 * template.yaml. Reading a template's contents is the templates module's job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEMPLATES_DIR = 'templates';

/** Template names, sorted; empty when templates/ is missing or has none. */
export function listTemplateNames(cwd: string): string[] {
  const dir = path.join(cwd, TEMPLATES_DIR);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'template.yaml')))
    .map((e) => e.name)
    .sort();
}
