/** A JWT's payload, decoded without verifying it (the server verifies; the client only reads `exp` and `sub`). */
const claimsOf = (token: string): Readonly<Record<string, unknown>> | undefined => {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** The `exp` of a JWT in milliseconds, read from its payload without verifying it; undefined when there is none. */
export const tokenExpiry = (token: string): number | undefined => {
  const exp = claimsOf(token)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
};

/** The `sub` (user id) of a JWT, read without verifying it. */
export const tokenSubject = (token: string): string | undefined => {
  const claims = claimsOf(token);
  return typeof claims?.['sub'] === 'string' ? claims['sub'] : undefined;
};
