// The sandbox shows codes and TOTP secrets, so it answers only to the names this machine is
// reached by. A page on another site that rebinds its DNS name to 127.0.0.1 (DNS rebinding)
// reaches the port, but its requests carry its own name in Host: they get 421 Misdirected
// Request ("this server does not serve that authority"), which is what happened.
import type { RequestHandler } from 'express';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header, lower case, without its port ("[::1]:1337" → "[::1]"). */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
}

/** Allows the loopback names and the host of each of `urls` (PUBLIC_URL, the URL the server listens at). */
export function sandboxHostGuard(urls: readonly string[]): RequestHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...urls.map((url) => new URL(url).hostname.toLowerCase())]);
  return (req, res, next) => {
    if (allowed.has(hostName(req.headers.host ?? ''))) return next();
    res.status(421).json({ error: "The sandbox answers only at localhost or the app's public address." });
  };
}
