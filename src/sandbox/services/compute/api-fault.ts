/**
 * Nova and Cinder share one fault shape: `{"<kind>": {"code", "message"}}`,
 * where the kind follows the status as their wsgi Fault maps it (novaKindFor).
 */
import { SandboxHttpError, errorShorthands, novaKindFor } from '../../core/errors.js';

export function apiFault(status: number, message: string, headers?: Record<string, string>): SandboxHttpError {
  return new SandboxHttpError(status, { [novaKindFor(status)]: { code: status, message } }, headers);
}

export const { badRequest, notFound, forbidden, conflict } = errorShorthands('nova');
