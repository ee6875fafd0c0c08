// What a process has running and listening, read from /proc (Linux): for tests that check what
// is left behind, or what another local user could connect to.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The pid's parent pid and state, or undefined once it is gone. */
function statOf(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = statOf(pid);
  return s !== undefined && s.state !== 'Z';
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The live child processes of `parent` (default: this process). */
export function childPids(parent = process.pid): number[] {
  return allPids().filter((pid) => statOf(pid)?.ppid === parent && isAlive(pid));
}

/** The live processes whose command line contains `text` (e.g. a temporary directory's name). */
export function pidsWithCommandLine(text: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(text) && isAlive(pid);
    } catch {
      return false;
    }
  });
}

/** The TCP addresses `pid` listens on (IPv4 and IPv6). */
export function listeningTcpPorts(pid: number): { host: string; port: number }[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]);
    }
  } catch {
    return [];
  }
  const out: { host: string; port: number }[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue; // 0A: LISTEN
      const [hexHost, hexPort] = cols[1].split(':');
      // Connect to what it listens on; a wildcard (0.0.0.0, ::) is reached through loopback.
      const wildcard = /^0+$/.test(hexHost);
      const host = v6 ? `[${wildcard ? '::1' : ipv6(hexHost)}]` : wildcard ? '127.0.0.1' : ipv4(hexHost);
      out.push({ host, port: parseInt(hexPort, 16) });
    }
  }
  return out;
}

/** /proc/net/tcp writes an IPv4 address as little-endian hex. */
function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

/** /proc/net/tcp6: four 32-bit words, each little-endian hex. */
function ipv6(hex: string): string {
  const bytes = [0, 1, 2, 3].flatMap((w) => [3, 2, 1, 0].map((i) => hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2)));
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(parseInt(bytes[i] + bytes[i + 1], 16).toString(16));
  return groups.join(':');
}

/** The unix socket a mongodb:// URI names (its host ends in .sock), or undefined for TCP. */
export function unixSocketPath(uri: string): string | undefined {
  const host = /^mongodb:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(uri)?.[1];
  if (!host) return undefined;
  const decoded = decodeURIComponent(host);
  return decoded.startsWith('/') && decoded.endsWith('.sock') ? decoded : undefined;
}

/** The live processes with `dir` (or anything under it) as working directory or among their open files. */
export function pidsHolding(dir: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid || !isAlive(pid)) return false;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`, { encoding: 'utf8' }).startsWith(dir)) return true;
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' }).startsWith(dir);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}
