import type { IComponentOptions } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import type { ApiService } from './api.service';
import { returnPath } from './guards';
import { CHECK_REASONS } from './pending-action.service';
import { passkeyErrorMessage, type PasskeyService } from './passkeys.service';
import type { RequestState } from './request-state';
import template from './recheck-prompt.html';

class RecheckPromptController {
  static $inject = ['api', 'passkeys', '$state'];
  state!: RequestState;
  onConfirmed?: () => void;
  passkeyOffered = false;
  /** Where /2fa sends the person back to once the check passed: this page (its path, `?next=`). */
  returnTo?: string;
  /** Why /2fa asks (`?why=`, a key of CHECK_REASONS): a binding, else a change to the account. */
  why?: string;

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
  ) {}

  $onInit(): void {
    this.returnTo = returnPath(this.$state.current);
    if (!this.why || !Object.hasOwn(CHECK_REASONS, this.why)) this.why = 'change-account';
    // Without an answer, "Confirm with 2FA" remains.
    void this.passkeys
      .unavailableReason()
      .then((reason) => (reason === '' ? this.api.hasPasskey() : false))
      .then((has) => (this.passkeyOffered = has))
      .catch(() => undefined);
  }

  confirmWithPasskey(): void {
    this.state.run(
      this.passkeys.check(),
      () => {
        this.state.succeed('Thank you: for the next 5 minutes no further check is asked.');
        this.onConfirmed?.();
      },
      passkeyErrorMessage,
    );
  }
}

/**
 * `<recheck-prompt state="$ctrl.state" on-confirmed="…">`, shown where a change was answered 403
 * `recheck`: Confirm with a passkey (if the person has one, here) or Confirm with 2FA, which comes
 * back to this page.
 */
export const recheckPromptComponent: IComponentOptions = {
  bindings: { state: '<', onConfirmed: '&?', why: '@?' },
  controller: RecheckPromptController,
  template,
};
