/**
 * What Octavia reads from Barbican for a TERMINATED_HTTPS listener: the
 * certificate container a `default_tls_container_ref` names, resolved to the
 * PEM texts of its certificate, private key, intermediates and passphrase.
 * The container and its secrets must belong to the load balancer's project
 * (Octavia reads with the owner's rights; the sandbox does not follow ACLs here).
 */
import type { SandboxContext } from '../../core/context.js';
import { liveSecret } from './access.js';
import { idFromRef } from './call.js';
import { type ContainerDoc, KIND } from './model.js';

export interface CertificateBundle {
  containerId: string;
  certificate: string;
  privateKey: string;
  intermediates?: string;
  passphrase?: string;
}

/** The bundle a container reference names for a project, or undefined when Octavia could not retrieve it. */
export function certificateBundle(ctx: SandboxContext, projectId: string, ref: string): CertificateBundle | undefined {
  const id = idFromRef(ref, 'containers');
  if (id === undefined) return undefined;
  // The reference must be this sandbox's own Barbican: Octavia never fetches a certificate from elsewhere.
  if (!ref.startsWith(`${ctx.publicUrl}/key-manager/v1/containers/`)) return undefined;
  const c = ctx.store.get<ContainerDoc>(KIND.container, id);
  if (c === undefined || c.project_id !== projectId || c.type === 'rsa') return undefined;
  const text = (name: string): string | undefined => {
    const ref = c.secret_refs.find((r) => r.name === name);
    const s = ref === undefined ? undefined : liveSecret(ctx, ref.secret_id);
    if (s === undefined || s._payload === null || s.project_id !== projectId) return undefined;
    return Buffer.from(s._payload, 'base64').toString('utf8');
  };
  const certificate = text('certificate');
  const privateKey = text('private_key');
  if (certificate === undefined || privateKey === undefined) return undefined;
  const intermediates = text('intermediates');
  const passphrase = text('private_key_passphrase');
  return {
    containerId: c.id,
    certificate,
    privateKey,
    ...(intermediates === undefined ? {} : { intermediates }),
    ...(passphrase === undefined ? {} : { passphrase }),
  };
}
