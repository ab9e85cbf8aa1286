/**
 * Readers for what a route is sent in its URL: path parameters and the query
 * string. Fastify's query parser gives a string, or an array of strings for a
 * repeated key; every service reads them through here so that a repeated key
 * means the same thing everywhere (the first value, unless the service asks for
 * all of them).
 */
import type { FastifyRequest } from 'fastify';

/** A query as Fastify parses it: one string, or all the values of a repeated key. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** The request's query with anything that is not a string dropped. */
export function rawQuery(req: FastifyRequest): RawQuery {
  const out: RawQuery = {};
  for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const values = queryValues(value);
    if (values.length === 0) continue;
    out[key] = Array.isArray(value) ? values : values[0];
  }
  return out;
}

/** Every string value a query key was given, in order ([] when absent). */
export function queryValues(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((x): x is string => typeof x === 'string');
}

/** The first value of a query key, or undefined when absent. */
export function firstValue(value: unknown): string | undefined {
  return queryValues(value)[0];
}

/** The query as one string per key (the first, when repeated), plus every value by key. */
export function queryParams(req: FastifyRequest): { one: Record<string, string>; all: Record<string, string[]> } {
  const one: Record<string, string> = {};
  const all: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rawQuery(req))) {
    const values = queryValues(value);
    all[key] = values;
    one[key] = values[0] ?? '';
  }
  return { one, all };
}

/** A path parameter ('' when the route has none of that name). */
export function pathParam(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string | undefined>)[name] ?? '';
}
