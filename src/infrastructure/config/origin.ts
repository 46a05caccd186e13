/** `scheme://host[:port]` in the form browsers send it, or undefined when `raw` is not an origin. */
export const normaliseOrigin = (raw: string): string | undefined => {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    return bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
};
