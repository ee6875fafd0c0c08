/** A message about navigation itself (a page that could not be opened), shown under the header. */
export class NoticeService {
  message = '';
}
