// A minimal browser for setting up scenarios: keeps cookies, echoes the XSRF-TOKEN cookie as
// X-XSRF-TOKEN on state-changing requests (as AngularJS's $http does), follows no redirects.

export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'x-xsrf-token';

/** `name=value` pairs of Set-Cookie headers; a cleared cookie (expired, empty) gives `value: undefined`. */
export function parseSetCookies(lines: readonly string[]): { name: string; value: string | undefined }[] {
  return lines.map((line) => {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const cleared = value === '' || attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
    return { name, value: cleared ? undefined : value };
  });
}

/** Cookies kept per name; `headers(method)` gives what a browser tab would send. */
export class CookieJar {
  readonly cookies: Map<string, string>;

  constructor(entries: Iterable<readonly [string, string]> = []) {
    this.cookies = new Map(entries);
  }

  absorb(setCookieLines: readonly string[]): void {
    for (const { name, value } of parseSetCookies(setCookieLines)) {
      if (value === undefined) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  headers(method = 'GET'): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const xsrf = this.cookies.get(XSRF_COOKIE);
    if (xsrf !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(method)) headers[XSRF_HEADER] = decodeURIComponent(xsrf);
    return headers;
  }
}

export interface BrowserResponse {
  status: number;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Throws unless the status is this one. */
  expect?: number;
  headers?: Record<string, string>;
}

export class Browser {
  readonly jar = new CookieJar();
  private visited = false;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, { body, expect, headers = {} }: RequestOptions = {}): Promise<BrowserResponse> {
    // A first visit sets the CSRF cookie (when the app has CSRF protection); state changes need it.
    if (method !== 'GET' && !this.jar.cookies.has(XSRF_COOKIE) && !this.visited) {
      this.visited = true;
      await this.request('GET', '/');
    }
    const res = await fetch(this.baseUrl + path, {
      method,
      redirect: 'manual',
      headers: { ...this.jar.headers(method), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    this.jar.absorb(res.headers.getSetCookie());
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (expect !== undefined && res.status !== expect) {
      throw new Error(`${method} ${path}: expected ${expect}, got ${res.status} ${text.slice(0, 300)}`);
    }
    return { status: res.status, body: json ?? text, headers: res.headers };
  }

  get(path: string, opts?: RequestOptions): Promise<BrowserResponse> {
    return this.request('GET', path, opts);
  }

  post(path: string, body?: unknown, opts: RequestOptions = {}): Promise<BrowserResponse> {
    return this.request('POST', path, { ...opts, body: body ?? {} });
  }
}
