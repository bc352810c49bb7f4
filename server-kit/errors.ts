/**
 * The one error shape of the three servers (the app's static server, the collector and the
 * aggregators): every non-2xx JSON answer is `{"error": {"name", "message", ...}}`, and a
 * handler refuses a request by throwing an HttpError.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describeError } from '../src/errors';

/** The error body every refusal carries; `extra` fields (e.g. `issues`) sit beside name and message. */
export interface ErrorBody {
  readonly error: { readonly name: string; readonly message: string; readonly [extra: string]: unknown };
}

export interface HttpErrorOptions {
  /** Answer headers (Retry-After, Allow, WWW-Authenticate, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Fields added to the error object beside name and message. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A request refused with `status`, answered as an ErrorBody by the kit's error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    override readonly name: string,
    message: string,
    readonly options: HttpErrorOptions = {},
  ) {
    super(message);
  }
}

export function errorBody(name: string, message: string, extra?: Readonly<Record<string, unknown>>): ErrorBody {
  return { error: { name, message, ...extra } };
}

/** The answer to a refusal: its status, headers and ErrorBody, never cached. */
export function errorResponse(c: Context, err: HttpError): Response {
  for (const [k, v] of Object.entries(err.options.headers ?? {})) c.header(k, v);
  c.header('Cache-Control', 'no-store');
  return c.json(errorBody(err.name, err.message, err.options.extra), err.status);
}

/**
 * What a thrown value is answered with: an HttpError as itself, anything `classify` recognises as
 * it says (the collector's unreachable database: 503), anything else 500 under the error's name.
 */
export function toHttpError(err: unknown, classify?: (err: unknown) => HttpError | undefined): HttpError {
  if (err instanceof HttpError) return err;
  const known = classify?.(err);
  if (known) return known;
  const { name, message } = describeError(err);
  return new HttpError(500, name === 'Error' ? 'InternalError' : name, message);
}
