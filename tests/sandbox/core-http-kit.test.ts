import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  BODY_BOOLEAN,
  CINDER_QUERY_BOOLEAN,
  KEYSTONE_BOOLEAN,
  NEUTRON_BOOLEAN,
  NOVA_QUERY_BOOLEAN,
  SWIFT_BOOLEAN,
  isTrue,
  parseBoolean,
} from '../../src/sandbox/core/booleans.js';
import { SandboxHttpError, errorShorthands, swiftStatusError } from '../../src/sandbox/core/errors.js';
import { afterMarker, parseLimit, takeLimit } from '../../src/sandbox/core/paging.js';
import { firstValue, pathParam, queryParams, queryValues, rawQuery } from '../../src/sandbox/core/request.js';

const request = (query: unknown, params: unknown = {}): FastifyRequest => ({ query, params }) as FastifyRequest;

describe('sandbox HTTP kit: request readers', () => {
  it('keeps string query values, first or all, and drops anything else', () => {
    const req = request({ a: 'x', b: ['y', 'z'], c: 3, d: [4, 'w'], e: [] });
    expect(rawQuery(req)).toEqual({ a: 'x', b: ['y', 'z'], d: ['w'] });
    expect(queryParams(req)).toEqual({ one: { a: 'x', b: 'y', d: 'w' }, all: { a: ['x'], b: ['y', 'z'], d: ['w'] } });
    expect(rawQuery(request(undefined))).toEqual({});
    expect(queryValues(undefined)).toEqual([]);
    expect(queryValues('')).toEqual(['']);
    expect(firstValue(['p', 'q'])).toBe('p');
    expect(firstValue(undefined)).toBeUndefined();
  });

  it('reads a path parameter, empty when the route has none of that name', () => {
    expect(pathParam(request({}, { id: 'abc' }), 'id')).toBe('abc');
    expect(pathParam(request({}, {}), 'id')).toBe('');
  });
});

describe('sandbox HTTP kit: boolean spellings', () => {
  it('reads Neutron booleans strictly, case aside', () => {
    expect(['true', 'True', '1'].map((t) => parseBoolean(t, NEUTRON_BOOLEAN))).toEqual([true, true, true]);
    expect(['false', 'FALSE', '0'].map((t) => parseBoolean(t, NEUTRON_BOOLEAN))).toEqual([false, false, false]);
    expect(parseBoolean('yes', NEUTRON_BOOLEAN)).toBeUndefined();
    expect(parseBoolean(1, NEUTRON_BOOLEAN)).toBeUndefined();
  });

  it('tells Nova from Cinder query flags', () => {
    expect(isTrue('yes', NOVA_QUERY_BOOLEAN)).toBe(true);
    expect(isTrue('on', NOVA_QUERY_BOOLEAN)).toBe(true);
    expect(isTrue('TRUE', NOVA_QUERY_BOOLEAN)).toBe(false);
    expect(isTrue('yes', CINDER_QUERY_BOOLEAN)).toBe(false);
    expect(isTrue('True', CINDER_QUERY_BOOLEAN)).toBe(true);
    expect(isTrue(undefined, CINDER_QUERY_BOOLEAN)).toBe(false);
  });

  it('reads a JSON body boolean or its two Python spellings', () => {
    expect([true, 'true', 'True'].map((v) => isTrue(v, BODY_BOOLEAN))).toEqual([true, true, true]);
    expect([false, 'TRUE', '1', 1, null].map((v) => isTrue(v, BODY_BOOLEAN))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('takes every Keystone text but the false words as true', () => {
    expect(['false', 'No', 'OFF', '0'].map((t) => parseBoolean(t, KEYSTONE_BOOLEAN))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(['true', '', 'anything'].map((t) => parseBoolean(t, KEYSTONE_BOOLEAN))).toEqual([true, true, true]);
  });

  it("reads Swift's config_true_value words, case aside", () => {
    expect(['true', 'YES', 'On', '1'].map((t) => isTrue(t, SWIFT_BOOLEAN))).toEqual([true, true, true, true]);
    expect(['false', 'no', '', 't'].map((t) => isTrue(t, SWIFT_BOOLEAN))).toEqual([false, false, false, false]);
  });
});

describe('sandbox HTTP kit: marker/limit pagination', () => {
  const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const missing = (m: string): Error => new Error(`no ${m}`);

  it('starts after the marker, or at the start without one', () => {
    expect(afterMarker(items, 'a', (i) => i.id, missing).map((i) => i.id)).toEqual(['b', 'c']);
    expect(afterMarker(items, 'c', (i) => i.id, missing)).toEqual([]);
    expect(afterMarker(items, undefined, (i) => i.id, missing)).toEqual(items);
    expect(() => afterMarker(items, 'z', (i) => i.id, missing)).toThrow('no z');
  });

  it('reads a limit as a non-negative integer and words a bad one as told', () => {
    const invalid = (t: string): Error => new Error(`bad ${t}`);
    expect(parseLimit(undefined, invalid)).toBeUndefined();
    expect(parseLimit('2', invalid)).toBe(2);
    expect(parseLimit('0', invalid)).toBe(0);
    expect(() => parseLimit('-1', invalid)).toThrow('bad -1');
    expect(() => parseLimit('1.5', invalid)).toThrow('bad 1.5');
    expect(() => parseLimit('ten', invalid)).toThrow('bad ten');
  });

  it('takes at most limit items', () => {
    expect(takeLimit(items, 2).map((i) => i.id)).toEqual(['a', 'b']);
    expect(takeLimit(items, 0)).toEqual([]);
    expect(takeLimit(items, undefined)).toEqual(items);
  });
});

describe('sandbox HTTP kit: error shorthands', () => {
  it('words the four common errors in each service style', () => {
    const nova = errorShorthands('nova').notFound('gone');
    expect(nova).toBeInstanceOf(SandboxHttpError);
    expect([nova.status, nova.body]).toEqual([404, { itemNotFound: { code: 404, message: 'gone' } }]);
    expect(errorShorthands('keystone').badRequest('no').body).toEqual({
      error: { code: 400, message: 'no', title: 'Bad Request' },
    });
    expect(errorShorthands('neutron').conflict('busy').body).toEqual({
      NeutronError: { type: 'HTTPConflict', message: 'busy', detail: '' },
    });
    expect(errorShorthands('cinder').forbidden('nope').body).toEqual({ forbidden: { code: 403, message: 'nope' } });
  });

  it("answers a Swift status with its proxy's default paragraph", () => {
    const e = swiftStatusError(404);
    expect(e.status).toBe(404);
    expect(e.body).toBe('<html><h1>Not Found</h1><p>The resource could not be found.</p></html>');
  });
});
