/** Messages shown under the header, whatever the page. */
export class NoticeService {
  /** About navigation itself (a page that could not be opened). */
  message = '';
  /** A request waiting to be sent again because the server is busy (core/busy-retry.ts). */
  busy = '';
}
