// Sandbox figures (issue 4): start-up to ready, token issue rate, GET rate, server create rate.
import { join } from 'node:path';
import { createRequire } from 'node:module';

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { benchmarkSandbox } = require(join(root, 'dist', 'sandbox', 'bench.js'));
  return benchmarkSandbox({ mainJs: join(root, 'dist', 'sandbox', 'main.js') });
}
