import type { IPromise, IQService } from 'angular';
import { productOf, type Product } from '../../common/products';
import type { SiteInfo } from '../../common/site-info';

/** The server's answer, or (when it could not be had) a plain app: no sandbox link, no provider named. */
export type Site = Omit<SiteInfo, 'provider'> & { provider: SiteInfo['provider'] | null };

export const UNKNOWN_SITE: Site = { provider: null, sandbox: false, passkeyOrigin: null, rememberBrowserDays: 0, passwordReset: false };

/**
 * GET /api/config, asked once before the app starts (client/main.ts), so every page renders
 * with the provider's name and the header with its links at once: nothing moves in later.
 */
export async function fetchSiteInfo(fetchFn: typeof fetch = fetch): Promise<Site> {
  try {
    const res = await fetchFn('/api/config', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    return res.ok ? ((await res.json()) as Site) : UNKNOWN_SITE;
  } catch {
    return UNKNOWN_SITE;
  }
}

/** What the server says about itself, as fetched before the app started. */
export class SiteService {
  static $inject = ['siteInfo', '$q'];

  constructor(
    readonly info: Site,
    private readonly $q: IQService,
  ) {}

  /** The 2FA provider's name and words (common/products.ts). */
  get product(): Product {
    return productOf(this.info.provider);
  }

  load(): IPromise<Site> {
    return this.$q.resolve(this.info);
  }
}
