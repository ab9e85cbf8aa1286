import type * as http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  WindowLimiter,
  clientAddress,
  clientKey,
  plainAddress,
  servedOverHttps,
} from '../../templates/_runtime/client';
import { type RequestContext, cookie } from '../../templates/_runtime/http';
import { writeGuard } from '../../templates/_runtime/server';

/** Just what client.ts reads from a request: the TCP peer and the headers. */
function request(
  remoteAddress: string,
  headers: http.IncomingHttpHeaders = {},
  encrypted = false,
): http.IncomingMessage {
  return { socket: { remoteAddress, encrypted }, headers } as unknown as http.IncomingMessage;
}

describe('client addresses', () => {
  it('keys IPv4 clients by address and IPv6 clients by their /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:0:0:0:1%eth0')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientKey('2001:db8:1:3::a')).not.toBe(clientKey('2001:db8:1:2::a'));
    expect(clientKey('not-an-address')).toBe('not-an-address');
    expect(plainAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(plainAddress('junk')).toBe('');
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its right-most untrusted hop', () => {
    const xff = { 'x-forwarded-for': '198.51.100.9, 203.0.113.5, 10.0.0.2' };
    expect(clientAddress(request('192.0.2.1', xff), [])).toBe('192.0.2.1');
    expect(clientAddress(request('::ffff:10.0.0.1', xff), ['10.0.0.1', '10.0.0.2'])).toBe('203.0.113.5');
    expect(clientAddress(request('10.0.0.1', {}), ['10.0.0.1'])).toBe('10.0.0.1');
    expect(clientAddress(request('10.0.0.1', { 'x-forwarded-for': 'garbage' }), ['10.0.0.1'])).toBe('10.0.0.1');
  });

  it('knows a visitor came over HTTPS from the socket, the public URL or a TLS proxy', () => {
    expect(servedOverHttps(request('192.0.2.1'), undefined)).toBe(false);
    expect(servedOverHttps(request('192.0.2.1'), 'http://participa.example')).toBe(false);
    expect(servedOverHttps(request('192.0.2.1', {}, true), undefined)).toBe(true);
    expect(servedOverHttps(request('192.0.2.1'), 'https://participa.example')).toBe(true);
    expect(servedOverHttps(request('192.0.2.1', { 'x-forwarded-proto': 'https' }), undefined)).toBe(true);
    expect(servedOverHttps(request('192.0.2.1', { forwarded: 'for=192.0.2.1;proto=https' }), undefined)).toBe(true);
    expect(servedOverHttps(request('192.0.2.1', { forwarded: 'proto=http' }), undefined)).toBe(false);
  });

  it('counts per key in fixed windows', () => {
    let t = 0;
    const limiter = new WindowLimiter(2, 1000, () => t);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    t = 400;
    expect(limiter.retryAfterSeconds()).toBe(1);
    t = 1000;
    expect(limiter.take('a')).toBe(true);
  });

  it('limits writes from addresses of one IPv6 /64 together', () => {
    const guard = writeGuard(2, () => 0);
    const ctx = (address: string): RequestContext =>
      ({
        method: 'POST',
        req: request(address),
        res: { setHeader: () => undefined },
        client: clientKey(address),
      }) as unknown as RequestContext;
    guard(ctx('2001:db8:1:2::a'));
    guard(ctx('2001:db8:1:2::b'));
    expect(() => guard(ctx('2001:db8:1:2::c'))).toThrow(/too many changes/);
    expect(() => guard(ctx('2001:db8:1:3::c'))).not.toThrow();
  });
});

describe('cookies', () => {
  it('are Secure exactly when asked, and say their SameSite', () => {
    expect(
      cookie('mod', 't', { maxAgeSeconds: 60, httpOnly: true, secure: true, sameSite: 'Strict', path: '/m' }),
    ).toBe('mod=t; Path=/m; Max-Age=60; SameSite=Strict; HttpOnly; Secure');
    expect(cookie('lang', 'pt', { maxAgeSeconds: 60, httpOnly: false, secure: false })).toBe(
      'lang=pt; Path=/; Max-Age=60; SameSite=Lax',
    );
  });
});
