/**
 * The collector's read API from the page: same origin, with the read token (kept in
 * sessionStorage, so it lasts as long as the tab) as `Authorization: Bearer`.
 */

const TOKEN_KEY = 'obscura.dashboard.readToken';

/** The API answered 401: the page must ask for a (new) token. */
export class TokenNeededError extends Error {
  override readonly name = 'TokenNeededError';
  constructor(readonly refused: boolean) {
    super(refused ? 'the collector refused this read token' : 'the collector needs a read token');
  }
}

/** Any other non-2xx answer, with the collector's own error name and message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** GETs `path` (with its query) and parses the JSON answer; throws TokenNeededError or ApiError. */
export async function getJson<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const token = storedToken();
  const res = await fetch(query ? `${path}?${query}` : path, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    cache: 'no-store',
  });
  if (res.status === 401) throw new TokenNeededError(token !== null);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { name?: string; message?: string } } | null;
    throw new ApiError(
      res.status,
      body?.error?.name ?? `HTTP ${res.status}`,
      body?.error?.message ?? `${path} answered ${res.status} ${res.statusText}`,
    );
  }
  return (await res.json()) as T;
}
