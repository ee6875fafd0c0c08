// Reading one cookie from the Cookie header, without parsing the others.

/** The first cookie called `name` in a Cookie header, URI-decoded; undefined if absent or malformed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end && header.slice(start, eq).trim() === name) {
      try {
        return decodeURIComponent(header.slice(eq + 1, end).trim());
      } catch {
        return undefined;
      }
    }
    start = end + 1;
  }
  return undefined;
}
