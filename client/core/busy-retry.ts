import type { IHttpInterceptor, IHttpProvider, IHttpResponse, IHttpService, IIntervalService, IQService, auto } from 'angular';
import { retryAfterSeconds } from './api.service';
import type { NoticeService } from './notice.service';

/** A wait longer than this is not sat through: the page shows the error and its wait instead. */
export const MAX_BUSY_WAIT_S = 30;

type RetriableConfig = IHttpResponse<unknown>['config'] & { busyRetried?: boolean };

/**
 * A 503 with Retry-After (the server refusing more password hashing than it can do in time, or
 * its database being briefly away) is sent once more after the wait, while the page says "busy,
 * retrying in N s" (NoticeService.busy). A second refusal reaches the page as an error. A
 * request with a `timeout` is not held: its caller gives up at that deadline and retries itself.
 */
function busyRetryInterceptor(
  $injector: auto.IInjectorService,
  $q: IQService,
  $interval: IIntervalService,
  notice: NoticeService,
): IHttpInterceptor {
  return {
    responseError(rejection: IHttpResponse<unknown>) {
      const config = rejection.config as RetriableConfig;
      const seconds = rejection.status === 503 ? retryAfterSeconds(rejection.headers('Retry-After')) : null;
      // A request with its own deadline (the push poll's) is its caller's to retry: the wait could outlast it.
      if (seconds === null || seconds > MAX_BUSY_WAIT_S || config.busyRetried || config.timeout !== undefined) return $q.reject(rejection);

      let left = Math.max(1, seconds);
      const say = () => (notice.busy = `The server is busy, retrying in ${left} s…`);
      say();
      return $interval(
        () => {
          left--;
          say();
        },
        1000,
        left,
      ).then(() => {
        notice.busy = '';
        const $http = $injector.get<IHttpService>('$http');
        return $http({ ...config, busyRetried: true } as RetriableConfig);
      });
    },
  };
}
busyRetryInterceptor.$inject = ['$injector', '$q', '$interval', 'notice'];

export function registerBusyRetry($httpProvider: IHttpProvider): void {
  $httpProvider.interceptors.push(busyRetryInterceptor);
}
registerBusyRetry.$inject = ['$httpProvider'];
