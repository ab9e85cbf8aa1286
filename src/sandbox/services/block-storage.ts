/**
 * Cinder (Block Storage v3) for the sandbox: volumes with their async states,
 * volume types with encryption, attachments as Nova and the Cinder clients
 * drive them, quotas and limits. Nova imports the attach/detach entry points
 * re-exported here.
 */
import type { SandboxService } from '../core/context.js';
import { registerCinderRoutes, seedCinder } from './block-storage/routes.js';

export {
  attachVolume,
  detachVolume,
  volumeById,
  attachmentsOfServer,
  liveAttachments,
  createVolumeRecord,
  beginVolumeDelete,
} from './block-storage/volume-state.js';
export type { AttachmentDoc } from './block-storage/model.js';
export type { VolumeView, AttachOutcome, DetachOutcome } from './block-storage/volume-state.js';

export const blockStorageService: SandboxService = {
  type: 'volumev3',
  name: 'cinderv3',
  prefix: '/volume',
  endpointPath: (projectId: string) => `/volume/v3/${projectId}`,
  register: (app, ctx) => registerCinderRoutes(app, ctx),
  seed: (ctx) => seedCinder(ctx),
};
