/** Messages shown under the header, whatever the page. */
export class NoticeService {
  /** About navigation itself (a page that could not be opened). */
  message = '';
  /** What just happened, for the page it led to ("You are logged out."): cleared by the next page. */
  info = '';
  /** A request waiting to be sent again because the server is busy (core/busy-retry.ts). */
  busy = '';
}
