import type { IHttpService, IPromise, IQService } from 'angular';
import type { SiteInfo } from '../../common/site-info';

/** What the server says about itself (GET /api/config), asked once per page load. */
export class SiteService {
  static $inject = ['$http', '$q'];
  private info?: IPromise<SiteInfo>;

  constructor(
    private readonly $http: IHttpService,
    private readonly $q: IQService,
  ) {}

  /** The server's answer; if it cannot be had, a plain app (no sandbox link). */
  load(): IPromise<SiteInfo> {
    this.info ??= this.$http.get<SiteInfo>('/api/config').then(
      (res) => res.data,
      () => this.$q.resolve({ sandbox: false, passkeyOrigin: null, rememberBrowserDays: 0 }),
    );
    return this.info;
  }
}
