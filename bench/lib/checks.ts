// The measurements that are not load: first-load weight of the SPA, cache headers, and whether
// moving between pages loads more script (in Chromium, when playwright-core finds one).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';

const HASHED = /-[A-Z0-9]{8,}\.(js|css)$/;

export interface LoadedFile {
  kind: 'js' | 'css';
  url: string;
  bytes: number;
  gzip: number;
  brotli: number;
  hashed: boolean;
}

export interface FirstLoad {
  files: LoadedFile[];
  bytes: number;
  gzip: number;
  brotli: number;
}

export interface CacheHeaders {
  url: string;
  status: number;
  cacheControl: string | null;
  contentEncoding: string | null;
  etag: boolean;
  hashed: boolean | null;
}

export type Navigation =
  | { skipped: string }
  | {
      skipped?: undefined;
      firstLoad: string[];
      visited: { target: string; reached: boolean; note?: string }[];
      furtherScriptsOrPages: string[];
      otherRequests: string[];
    };

/** JavaScript and CSS that index.html loads, raw and compressed (gzip -6, brotli default). */
export async function firstLoadWeight(publicDir: string): Promise<FirstLoad> {
  const html = await readFile(path.join(publicDir, 'index.html'), 'utf8');
  const refs: { kind: 'js' | 'css'; url: string }[] = [
    ...[...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => ({ kind: 'js' as const, url: m[1] })),
    ...[...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => ({ kind: 'css' as const, url: m[1] })),
  ];
  const files: LoadedFile[] = [];
  for (const ref of refs) {
    const data = await readFile(path.join(publicDir, ref.url.replace(/^\//, '')));
    files.push({
      ...ref,
      bytes: data.length,
      gzip: gzipSync(data).length,
      brotli: brotliCompressSync(data).length,
      hashed: HASHED.test(ref.url),
    });
  }
  const sum = (k: 'bytes' | 'gzip' | 'brotli') => files.reduce((n, f) => n + f[k], 0);
  return { files, bytes: sum('bytes'), gzip: sum('gzip'), brotli: sum('brotli') };
}

/** What the server sends for the shell and each asset a browser asks for with gzip allowed. */
export async function cacheHeaders(baseUrl: string, urls: readonly string[]): Promise<CacheHeaders[]> {
  const out: CacheHeaders[] = [];
  for (const url of ['/', ...urls]) {
    const res = await fetch(baseUrl + url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    await res.arrayBuffer();
    out.push({
      url,
      status: res.status,
      cacheControl: res.headers.get('cache-control'),
      contentEncoding: res.headers.get('content-encoding'),
      etag: Boolean(res.headers.get('etag')),
      hashed: url === '/' ? null : HASHED.test(url),
    });
  }
  return out;
}

const CHROMIUM_PATHS = [process.env.CHROME_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Loads / in Chromium, then moves through the open pages with the app's own links (client-side
 * navigation) and lists every script or stylesheet requested after the first load.
 */
export async function navigationLoads(baseUrl: string): Promise<Navigation> {
  const executablePath = CHROMIUM_PATHS.find((p): p is string => Boolean(p) && existsSync(p!));
  if (!executablePath) return { skipped: 'no Chromium found (set CHROME_BIN)' };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { skipped: 'playwright-core is not installed' };
  }
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const requests: { url: string; type: string }[] = [];
    page.on('request', (r) => requests.push({ url: new URL(r.url()).pathname, type: r.resourceType() }));
    await page.goto(baseUrl + '/', { waitUntil: 'networkidle' });
    const firstLoad = requests.splice(0);
    const visited: { target: string; reached: boolean; note?: string }[] = [];
    for (const target of ['/login', '/register', '/verification', '/']) {
      const link = page.locator(`a[href="${target}"]:visible`).first();
      if ((await link.count()) === 0) {
        visited.push({ target, reached: false, note: 'no link' });
        continue;
      }
      await link.click();
      await page.waitForURL(baseUrl + target, { timeout: 5000 }).catch(() => {});
      await page.waitForLoadState('networkidle');
      visited.push({ target, reached: new URL(page.url()).pathname === target });
    }
    const further = requests.filter((r) => ['script', 'stylesheet', 'document'].includes(r.type));
    return {
      firstLoad: firstLoad.map((r) => `${r.type} ${r.url}`),
      visited,
      furtherScriptsOrPages: further.map((r) => `${r.type} ${r.url}`),
      otherRequests: requests.filter((r) => !further.includes(r)).map((r) => `${r.type} ${r.url}`),
    };
  } finally {
    await browser.close();
  }
}
