/**
 * Nova and Cinder share one fault shape: `{"<kind>": {"code", "message"}}`,
 * where the kind follows the status (their wsgi Fault maps 400 badRequest,
 * 403 forbidden, 404 itemNotFound, 409 conflictingRequest, 413 overLimit,
 * anything else computeFault).
 */
import { SandboxHttpError } from '../../core/errors.js';

export type FaultKind = 'badRequest' | 'forbidden' | 'itemNotFound' | 'badMethod' | 'conflictingRequest' | 'overLimit' | 'computeFault';

export function faultKindFor(status: number): FaultKind {
  switch (status) {
    case 400:
      return 'badRequest';
    case 403:
      return 'forbidden';
    case 404:
      return 'itemNotFound';
    case 405:
      return 'badMethod';
    case 409:
      return 'conflictingRequest';
    case 413:
    case 429:
      return 'overLimit';
    default:
      return 'computeFault';
  }
}

export function apiFault(status: number, message: string, headers?: Record<string, string>): SandboxHttpError {
  return new SandboxHttpError(status, { [faultKindFor(status)]: { code: status, message } }, headers);
}

export const badRequest = (message: string): SandboxHttpError => apiFault(400, message);
export const notFound = (message: string): SandboxHttpError => apiFault(404, message);
export const forbidden = (message: string): SandboxHttpError => apiFault(403, message);
export const conflict = (message: string): SandboxHttpError => apiFault(409, message);
