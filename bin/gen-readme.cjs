#!/usr/bin/env node
// Regenerates the README sections between `<!-- generated:NAME:start -->` and
// `<!-- generated:NAME:end -->` from storm itself, so the manifest reference and
// the policy table never drift from the schema and the rule registry.
// `--check` exits 1 when the README is out of date (used by tests).
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const storm = join(root, 'bin', 'storm');
const sections = {
  'policy-rules': ['audit', '--rules', '--format', 'markdown'],
  'manifest-reference': ['schema', '--format', 'markdown'],
};

function render(readme) {
  let out = readme;
  for (const [name, args] of Object.entries(sections)) {
    const body = execFileSync(process.execPath, [storm, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    }).trim();
    const re = new RegExp(`(<!-- generated:${name}:start[^>]*-->)[\\s\\S]*?(<!-- generated:${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no generated:${name} markers`);
    out = out.replace(re, (_m, start, end) => `${start}\n${body.replace(/^###? /gm, (h) => `#${h}`)}\n${end}`);
  }
  return out;
}

const file = join(root, 'README.md');
const current = readFileSync(file, 'utf8');
const next = render(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('README.md is out of date: run `npm run gen:readme`\n');
    process.exitCode = 1;
  }
} else if (next !== current) {
  writeFileSync(file, next);
}
