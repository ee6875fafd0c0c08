import type { IPromise } from 'angular';
import { errorField, errorMessage } from './api.service';

/** What a page shows about its requests: in flight (`busy`), the last error, the last success. */
export class RequestState {
  busy = false;
  error = '';
  ok = '';
  /** The field a 400 named, so the page can focus it. */
  field?: string;

  /** Tracks one request; a rejection becomes `error` (in `describe`'s words), so the page stays usable. */
  run<T>(request: IPromise<T>, onSuccess: (value: T) => void, describe: (rejection: unknown) => string = errorMessage): IPromise<void> {
    this.busy = true;
    this.clear();
    return request
      .then(onSuccess, (rejection: unknown) => this.fail(describe(rejection), errorField(rejection)))
      .finally(() => {
        this.busy = false;
      });
  }

  succeed(message: string): void {
    this.clear();
    this.ok = message;
  }

  fail(message: string, field?: string): void {
    this.clear();
    this.error = message;
    this.field = field;
  }

  clear(): void {
    this.error = '';
    this.ok = '';
    this.field = undefined;
  }
}
