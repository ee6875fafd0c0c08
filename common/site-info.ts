import type { ProviderId } from './products';

/** GET /api/config: what the SPA may know about the server it talks to. Nothing secret. */
export interface SiteInfo {
  /** The 2FA API the app talks to: every page names it (common/products.ts). */
  provider: ProviderId;
  /** True when the embedded sandbox plays the upstream API (no key is set): the SPA links to /sandbox. */
  sandbox: boolean;
  /**
   * The origin passkeys work at (PUBLIC_URL's), or null when passkeys are off (PUBLIC_URL names
   * an IP address). A page opened at another origin cannot use them, and says so.
   */
  passkeyOrigin: string | null;
  /** REMEMBER_BROWSER_DAYS: how long /2fa's "Remember this browser" lasts; 0 when it is off. */
  rememberBrowserDays: number;
  /** Whether "Forgot password?" can email a link (SMTP_URL, or the sandbox's mailbox). */
  passwordReset: boolean;
}
