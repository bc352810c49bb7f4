/**
 * HTTPS for the servers `npm start` runs: the collector and the app's static server take the
 * same certificate and key, read once and checked before either listens.
 */
import { readFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server as HttpServer,
  type ServerOptions,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { describeError, ObscuraError } from '../src/errors';

/** A PEM certificate (chain) and its private key. */
export interface TlsCredentials {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/**
 * Reads a PEM certificate and key and checks that they make a usable pair; the error names
 * the file that could not be read, or says why the pair was refused.
 */
export async function readTlsCredentials(certFile: string, keyFile: string): Promise<TlsCredentials> {
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new ObscuraError(
        'InvalidParameterError',
        `cannot read the TLS ${what} ${file}: ${describeError(err).message}`,
      );
    }
  };
  const credentials = { cert: await read(certFile, 'certificate'), key: await read(keyFile, 'key') };
  try {
    createSecureContext(credentials);
  } catch (err) {
    throw new ObscuraError(
      'InvalidParameterError',
      `the TLS certificate ${certFile} and key ${keyFile} are not a usable PEM pair: ${describeError(err).message}`,
    );
  }
  return credentials;
}

/** An HTTP server, or an HTTPS one when `tls` is given; `options` apply to both. */
export function createWebServer(
  options: ServerOptions,
  handler: RequestListener,
  tls?: TlsCredentials,
): HttpServer | HttpsServer {
  return tls
    ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key }, handler)
    : createHttpServer(options, handler);
}
