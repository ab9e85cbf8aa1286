/**
 * The lifecycle's deploy collaborator (LifecycleDeps.deploy): runs after apply
 * with the applied stack's outputs. The caller supplies the object store
 * (authenticated against the same cloud), so this module holds no credential.
 */
import type { CloudCredentials } from '../cloud/credentials';
import type { ResolvedCity } from '../manifest/model';
import { loadTemplateCatalog } from '../manifest/templates';
import type { Progress } from '../progress';
import { deployServices } from './deploy-services';
import type { ObjectStore } from './object-store';

/** What the lifecycle hands its deploy step: the applied stack's city, credentials and outputs. */
export interface DeployInput {
  cwd: string;
  city: ResolvedCity;
  credentials: CloudCredentials;
  outputs: Record<string, unknown>;
  progress: Progress;
  /** `storm deploy --service S`: only this one. */
  service?: string;
  signal?: AbortSignal;
}

/** What the lifecycle records of a deploy step. */
export interface DeployReport {
  status: 'deployed' | 'nothing-to-deploy';
  services: Array<{ name: string; url?: string; healthy?: boolean }>;
  message: string;
}

/** Long enough for a VM's first boot (packages, volume, first fetch); the sandbox answers in seconds. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 10 * 60 * 1000;

export async function runDeployStep(
  input: DeployInput,
  store: ObjectStore,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<DeployReport> {
  if (input.city.services.length === 0)
    return { status: 'nothing-to-deploy', services: [], message: 'nothing to deploy (the manifest names no services)' };
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const result = await deployServices(
    input.city,
    loadTemplateCatalog(input.cwd).templates,
    store,
    input.outputs.services,
    {
      timeoutMs,
      progress: input.progress,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const services = result.published.map((p) => {
    const healthy = result.health.filter((h) => h.target.service === p.service);
    return {
      name: p.service,
      ...(healthy[0] === undefined ? {} : { url: healthy[0].target.url }),
      healthy: healthy.every((h) => h.outcome.kind === 'healthy'),
    };
  });
  const changed = result.published.filter((p) => p.artifact.uploaded || p.seedObjects.uploaded > 0);
  const lines = result.published.map((p) => {
    const urls = result.health.filter((h) => h.target.service === p.service).map((h) => h.target.url);
    return `${p.service} ${p.version} ${p.artifact.uploaded ? 'rolled out' : 'unchanged'}, healthy on ${urls.length} instance${urls.length === 1 ? '' : 's'}: ${urls.join(' ')}`;
  });
  return {
    status: changed.length === 0 ? 'nothing-to-deploy' : 'deployed',
    services,
    message:
      changed.length === 0 ? `nothing to deploy: every service is current\n${lines.join('\n')}` : lines.join('\n'),
  };
}
