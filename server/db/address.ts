// Where a mongodb:// URI points, for log lines: its hosts (or socket path), never its credentials.

/** `host:port[,host:port…]`, the socket path, or the SRV name; credentials, database and options dropped. */
export function databaseAddress(uri: string): string {
  const scheme = /^mongodb(\+srv)?:\/\//.exec(uri);
  if (!scheme) return 'an unparsable MONGODB_URI';
  let rest = uri.slice(scheme[0].length);
  // Credentials end at the last "@" before the options (a password may hold an unescaped "/" or "@").
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  const slash = rest.indexOf('/');
  const hosts = (slash >= 0 ? rest.slice(0, slash) : rest)
    .split(',')
    .map((h) => {
      try {
        return decodeURIComponent(h);
      } catch {
        return h;
      }
    })
    .join(',');
  return scheme[1] ? `${hosts} (SRV)` : hosts;
}
