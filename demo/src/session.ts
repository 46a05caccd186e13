import { tokenExpiry, tokenSubject } from '../../sdk/src/index.js';

/** Where the demo's token comes from: minted for a username (development secret only) or pasted. */
export type Credentials = { readonly kind: 'username'; readonly username: string } | { readonly kind: 'token'; readonly token: string };

/** Asks the service for a development token; it answers 404 when a real key is configured. */
export const mintToken = async (username: string): Promise<string> => {
  const res = await fetch('/demo/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  if (res.status === 404) throw new Error('This service has a real signing key: paste a token instead');
  const body = (await res.json()) as { token?: string; msg?: string };
  if (!res.ok || body.token === undefined) throw new Error(body.msg ?? `token refused (${res.status})`);
  return body.token;
};

/** The token source given to the SDK: a minted token is minted again when it nears its end. */
export const tokenGetter = (credentials: Credentials, first: string): (() => Promise<string>) => {
  let current = first;
  return async () => {
    if (credentials.kind === 'token') return current;
    const exp = tokenExpiry(current);
    if (exp !== undefined && exp - Date.now() < 120_000) current = await mintToken(credentials.username);
    return current;
  };
};

/** A pasted token must at least look like a JWT with a subject. */
export const checkPastedToken = (token: string): string => {
  const trimmed = token.trim();
  if (tokenSubject(trimmed) === undefined) throw new Error('That does not look like a JWT with a sub claim');
  return trimmed;
};
