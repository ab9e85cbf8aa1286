/** Error answers many Neutron handlers share, worded as Neutron words them. */
import { neutronError } from '../../core/errors.js';

export function policyDenied(rule: string): Error {
  return neutronError(403, 'PolicyNotAuthorized', `(${rule}) is disallowed by policy`);
}

export function notFound(type: string, message: string): Error {
  return neutronError(404, type, message);
}

export function conflict(type: string, message: string): Error {
  return neutronError(409, type, message);
}

export function badResourceRequest(resource: string, message: string): Error {
  return neutronError(400, 'BadRequest', `Bad ${resource} request: ${message}.`);
}
