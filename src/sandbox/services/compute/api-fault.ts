/**
 * Nova and Cinder share one fault shape: `{"<kind>": {"code", "message"}}`,
 * where the kind follows the status as their wsgi Fault maps it (novaKindFor).
 */
import { SandboxHttpError, novaKindFor } from '../../core/errors.js';

export function apiFault(status: number, message: string, headers?: Record<string, string>): SandboxHttpError {
  return new SandboxHttpError(status, { [novaKindFor(status)]: { code: status, message } }, headers);
}

export const badRequest = (message: string): SandboxHttpError => apiFault(400, message);
export const notFound = (message: string): SandboxHttpError => apiFault(404, message);
export const forbidden = (message: string): SandboxHttpError => apiFault(403, message);
export const conflict = (message: string): SandboxHttpError => apiFault(409, message);
