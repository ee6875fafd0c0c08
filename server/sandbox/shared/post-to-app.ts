// How either API tells the app that the phone answered: a signed POST to the app's callback or
// webhook URL. A failure is logged, never thrown: the app polls as well.
import type { Logger } from '../../platform/logger';

export interface SignedPost {
  url: string;
  /** An object is sent as JSON, a string as it is (with its own content type in `headers`). */
  body: object | string;
  headers: Record<string, string>;
  /** Names it in the log ("Verify webhook", say). */
  what: string;
  /** Where it went, as the log may show it (no query string). */
  logUrl: string;
}

export async function postToApp(post: SignedPost, logger: Logger, timeoutMs = 5000): Promise<boolean> {
  try {
    const { default: axios } = await import('axios'); // loaded at the first post, not at start
    const res = await axios.post(post.url, post.body, {
      headers: typeof post.body === 'string' ? post.headers : { ...post.headers, 'Content-Type': 'application/json' },
      timeout: timeoutMs,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
    });
    if (res.status >= 200 && res.status < 300) {
      logger.debug({ status: res.status }, `[sandbox] ${post.what} delivered`);
      return true;
    }
    logger.warn({ status: res.status, url: post.logUrl }, `[sandbox] the app refused the ${post.what}`);
  } catch (err) {
    logger.warn({ err: (err as Error).message, url: post.logUrl }, `[sandbox] ${post.what} failed`);
  }
  return false;
}
