/**
 * The one way storm's own HTTP calls reach a cloud (pre-flight, deploy, withdraw, adoption, the
 * sandbox's partner projects): the TLS settings of the cloud's clouds.yaml entry or OS_* variables
 * — `cacert`, `cert`/`key`, `insecure` — apply to every request, as they do for tofu (which gets
 * them as OS_CACERT, OS_CERT, OS_KEY, OS_INSECURE). A refused certificate becomes a StormError
 * naming the cloud, the endpoint and the setting that fixes it.
 */
import * as fs from 'node:fs';
import { StormError } from '../errors';
import { HttpFetchError, type HttpFetchInit, type TlsSettings, httpFetch } from '../http-fetch';
import type { CloudCredentials } from './credentials';

export type CloudFetch = (url: string, init?: Omit<HttpFetchInit, 'tls'>) => Promise<Response>;

/** The fetch of one cloud: its CA, client certificate and verification setting on every request. */
export function cloudFetch(credentials: CloudCredentials): CloudFetch {
  const tls = tlsSettings(credentials);
  return async (url, init = {}) => {
    try {
      return await httpFetch(url, { ...init, tls });
    } catch (err) {
      throw err instanceof HttpFetchError && err.tls !== undefined ? tlsError(credentials, err) : err;
    }
  };
}

/** The PEM texts of the files the credentials name, read once; a missing or unreadable file is the operator's to fix. */
export function tlsSettings(credentials: CloudCredentials): TlsSettings {
  const read = (file: string | undefined, what: string, setting: string): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new StormError(
        'cloud',
        `cloud "${credentials.cloudName}": cannot read its ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
        { hint: `fix ${setting} in ${where(credentials)}: it must name a readable PEM file` },
      );
    }
  };
  const ca = read(credentials.cacert, 'CA certificate (cacert)', 'cacert');
  const cert = read(credentials.cert, 'client certificate (cert)', 'cert');
  const key = read(credentials.key, 'client key (key)', 'key');
  if ((cert === undefined) !== (key === undefined))
    throw new StormError(
      'cloud',
      `cloud "${credentials.cloudName}" names a client ${cert === undefined ? 'key' : 'certificate'} without its ${cert === undefined ? 'certificate (cert)' : 'key (key)'}`,
      {
        hint: `set both cert and key in ${where(credentials)} (or OS_CERT and OS_KEY)`,
      },
    );
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(credentials.insecure === true ? { insecure: true } : {}),
  };
}

function where(credentials: CloudCredentials): string {
  const s = credentials.source;
  return s.kind === 'clouds-yaml'
    ? `the "${credentials.cloudName}" entry of ${s.file}`
    : s.kind === 'environment'
      ? 'the OS_* variables (OS_CACERT, OS_CERT, OS_KEY)'
      : `the sandbox at ${s.url}`;
}

function tlsError(credentials: CloudCredentials, err: HttpFetchError): StormError {
  const origin = new URL(err.url).origin;
  const cloud = `cloud "${credentials.cloudName}"`;
  switch (err.tls) {
    case 'unknown-ca':
      return new StormError(
        'cloud',
        credentials.cacert === undefined
          ? `${cloud}: the TLS certificate of ${origin} is signed by a certificate authority this machine does not trust (${err.code})`
          : `${cloud}: the TLS certificate of ${origin} is not signed by the CA in ${credentials.cacert} (${err.code})`,
        {
          hint:
            credentials.cacert === undefined
              ? `set cacert to the cloud's CA certificate (PEM) in ${where(credentials)}, or export OS_CACERT=/path/to/ca.pem`
              : `cacert in ${where(credentials)} must name the CA (or bundle) that signed ${origin}'s certificate`,
        },
      );
    case 'expired':
      return new StormError(
        'cloud',
        `${cloud}: the TLS certificate of ${origin} is expired or not valid yet (${err.code})`,
        {
          hint: "the cloud's operators must renew it; check this machine's clock too",
        },
      );
    case 'wrong-name':
      return new StormError(
        'cloud',
        `${cloud}: the TLS certificate of ${origin} does not name that host (${err.code})`,
        {
          hint: `use the host name the certificate was issued for in auth_url (${where(credentials)})`,
        },
      );
    case 'client-certificate':
      return new StormError('cloud', `${cloud}: ${origin} refused storm's client certificate (${err.code})`, {
        hint: `set cert and key to a client certificate the cloud accepts in ${where(credentials)} (or OS_CERT / OS_KEY)`,
      });
    default:
      return new StormError('cloud', `${cloud}: the TLS handshake with ${origin} failed (${err.code})`, {
        hint: `check that ${origin} speaks HTTPS, and cacert / cert / key in ${where(credentials)}`,
      });
  }
}
