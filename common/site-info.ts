/** GET /api/config: what the SPA may know about the server it talks to. Nothing secret. */
export interface SiteInfo {
  /** True when the embedded sandbox plays the upstream API (no key is set): the SPA links to /sandbox. */
  sandbox: boolean;
}
