// The client address that per-address limits are keyed on. An IPv6 subscriber usually holds a
// whole /64 and can use any address in it, so IPv6 clients are keyed by their /64; IPv4 (also
// when it arrives IPv4-mapped, ::ffff:a.b.c.d) by the address. Who the client is behind a
// reverse proxy is Express's `req.ip`, decided by TRUST_PROXY.
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

export function clientAddressKey(req: Pick<Request, 'ip'>): string {
  const ip = req.ip ?? '';
  // A trusted proxy passes X-Forwarded-For on as it came: it may hold something that is no address.
  if (!ipaddr.isValid(ip)) return `?${ip.slice(0, 64)}`;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}

/**
 * The client's network, as a person may be shown it (in a push request): an IPv4 /24 or an
 * IPv6 /64, never the whole address.
 */
export function clientNetwork(req: Pick<Request, 'ip'>): string {
  const key = clientAddressKey(req);
  if (key.startsWith('?')) return 'unknown';
  return key.endsWith('/64') ? key : key.replace(/\.\d+$/, '.0/24');
}
