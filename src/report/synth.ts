/** Renders `storm synth` results for humans; the --json document is synthJsonResult(). */
import type { ChalkInstance } from 'chalk';
import type { SynthCityResult } from '../synth/synth-city';

export interface SynthJsonResult {
  city: string;
  env: string;
  manifest: string;
  file: string | undefined;
  sha256: string;
  bytes: number;
  resourceTotal: number;
  resources: Record<string, number>;
  dataSources: Record<string, number>;
  outputs: string[];
  elapsedMs: number;
}

export function synthJsonResult(
  r: SynthCityResult,
  displayFile: string | undefined,
  elapsedMs: number,
): SynthJsonResult {
  return {
    city: r.city,
    env: r.env,
    manifest: r.manifest,
    file: displayFile,
    sha256: r.hash,
    bytes: r.bytes,
    resourceTotal: r.stats.resourceTotal,
    resources: r.stats.resources,
    dataSources: r.stats.dataSources,
    outputs: r.stats.outputs,
    elapsedMs,
  };
}

export function renderSynth(r: SynthJsonResult, chalk: ChalkInstance): string {
  const width = Math.max(0, ...Object.keys(r.resources).map((t) => t.length));
  const lines = [
    `${chalk.green('✓')} ${r.city} ${chalk.bold(r.env)} → ${r.file ?? '(not written)'}  ${r.resourceTotal} resources, sha256 ${r.sha256.slice(0, 12)}`,
  ];
  for (const [type, n] of Object.entries(r.resources)) lines.push(`  ${type.padEnd(width)}  ${n}`);
  const data = Object.entries(r.dataSources).map(([t, n]) => `${t} ×${n}`);
  if (data.length > 0) lines.push(chalk.dim(`  reads: ${data.join(', ')}`));
  return lines.join('\n');
}
