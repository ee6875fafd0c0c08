import type { IComponentOptions } from 'angular';
import { RECOVERY_CODES_LOW, type AccountSummary } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { RequestState } from '../core/request-state';
import template from './recovery-section.html';

class RecoverySectionController {
  static $inject = ['accountApi'];
  summary!: AccountSummary;
  onChange?: () => void;
  /** New codes, shown this once. */
  codes: string[] | null = null;
  readonly low = RECOVERY_CODES_LOW;
  readonly state = new RequestState();

  constructor(private readonly accountApi: AccountApiService) {}

  generate(): void {
    this.state.run(this.accountApi.newRecoveryCodes(), (codes) => {
      this.codes = codes;
      this.summary.recoveryCodes = { remaining: codes.length, total: codes.length, createdAt: new Date().toISOString() };
      this.state.succeed('New codes made: the old ones no longer work.');
      this.onChange?.();
    });
  }
}

/** "Recovery codes": how many are left, and Generate new codes (shown once, with Copy and Download). */
export const recoverySectionComponent: IComponentOptions = {
  bindings: { summary: '<', onChange: '&?' },
  controller: RecoverySectionController,
  template,
};
