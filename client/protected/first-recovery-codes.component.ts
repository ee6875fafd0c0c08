import type { IComponentOptions } from 'angular';
import { RECOVERY_CODES_LOW } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './first-recovery-codes.html';

class FirstRecoveryCodesController {
  static $inject = ['accountApi'];
  username = '';
  /** The first codes, shown this once. */
  codes: string[] | null = null;
  /** Codes left, once a set exists. */
  remaining: number | null = null;
  readonly low = RECOVERY_CODES_LOW;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  $onInit(): void {
    this.load();
  }

  /** Made the first time; after that, only the count comes back. */
  load(): void {
    this.state.run(this.accountApi.firstRecoveryCodes(), (body) => {
      if (body.codes) this.codes = body.codes;
      else this.remaining = body.remaining;
    });
  }

  saved(): void {
    this.codes = null;
  }
}

/**
 * `<first-recovery-codes>` on /protected: the first recovery codes, made the first time a person
 * gets here and shown this once; later, a warning when few are left.
 */
export const firstRecoveryCodesComponent: IComponentOptions = {
  bindings: { username: '<' },
  controller: FirstRecoveryCodesController,
  template,
};
