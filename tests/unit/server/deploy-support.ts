// Shared pieces of the deployment tests: a self-signed certificate made with openssl, and a
// request that can reach an HTTPS server with it and name any Host.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM, to trust it as its own authority. */
  readonly ca: Buffer;
}

/** A self-signed certificate for localhost and 127.0.0.1, written into `dir`. */
export async function makeCertificate(dir: string, name = 'server'): Promise<Certificate> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile, ca: await readFile(certFile) };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The CN of the certificate the server presented; undefined over plain http. */
  readonly peerName: string | undefined;
}

/**
 * One request to `url` over http or https. With https the server's certificate is checked against
 * `ca` under the name localhost, whatever Host header is sent.
 */
export function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca?: Buffer } = {},
): Promise<Answer> {
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        family: 4, // the servers listen on 127.0.0.1, which is what localhost must name here
        ...(https ? { ca: options.ca, servername: 'localhost', agent: false } : {}),
      },
      (res) => {
        const cn = https ? (res.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
        const peerName = Array.isArray(cn) ? cn.join(',') : cn;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peerName }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
