import type { IHttpInterceptor, IHttpProvider, IHttpService, IRequestConfig, IHttpResponse, IQService, auto } from 'angular';

/** The server marks a refused CSRF token with this header (and sends a fresh XSRF-TOKEN cookie). */
const REJECTED_HEADER = 'X-XSRF-Rejected';

type RetriableConfig = IRequestConfig & { csrfRetried?: boolean };

/**
 * A session that ended (idle or absolute timeout, logout in another tab) leaves a stale token in
 * the page; the refusal carries a fresh one, so the request is sent once more, and the server
 * then answers it for what it is (usually 401: log in again).
 */
function csrfRetryInterceptor($injector: auto.IInjectorService, $q: IQService): IHttpInterceptor {
  return {
    responseError(rejection: IHttpResponse<unknown>) {
      const config = rejection.config as RetriableConfig;
      if (rejection.status === 403 && rejection.headers(REJECTED_HEADER) && !config.csrfRetried) {
        const $http = $injector.get<IHttpService>('$http');
        return $http({ ...config, csrfRetried: true } as RetriableConfig);
      }
      return $q.reject(rejection);
    },
  };
}
csrfRetryInterceptor.$inject = ['$injector', '$q'];

export function registerCsrfRetry($httpProvider: IHttpProvider): void {
  $httpProvider.interceptors.push(csrfRetryInterceptor);
}
registerCsrfRetry.$inject = ['$httpProvider'];
