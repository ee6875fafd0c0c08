import type { IQService, ITimeoutService } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import type { ApiService, CodeSent, SoftTokenEnrolment } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';
import { PushPoller, PUSH_WAIT_SECONDS } from './push-poller';
import type { PushOutcome } from './push-poller';
import template from './twofa.html';
import { pageModule } from '../core/page-module';

/** The push request expires when the SPA stops waiting ('timeout' only if the provider has not said so yet). */
const PUSH_EXPIRED = `No answer within ${PUSH_WAIT_SECONDS} s: the push request expired. Press Push Auth to send a new one.`;
const PUSH_FAILURES: Record<Exclude<PushOutcome, 'approved' | 'error'>, string> = {
  denied: 'The push request was denied. Press Push Auth to send a new one.',
  expired: PUSH_EXPIRED,
  timeout: PUSH_EXPIRED,
};

class TwofaController {
  static $inject = ['api', 'passkeys', '$state', '$timeout'];
  token = '';
  /** The soft token to set up first, when the 2FA provider enrols one here (Twilio Verify): a resolve. */
  enrolment: SoftTokenEnrolment | null = null;
  /** "Use a passkey" shows only for someone who has one, where passkeys work: a resolve. */
  passkeyOffered = false;
  readonly state = new RequestState();
  readonly push: PushPoller;

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
    $timeout: ITimeoutService,
  ) {
    this.push = new PushPoller(
      $timeout,
      () => this.api.pushStatus(),
      (outcome, message) => this.pushDone(outcome, message),
    );
  }

  $onDestroy(): void {
    this.push.stop();
  }

  usePasskey(): void {
    this.state.run(this.passkeys.check(), () => this.passed(), passkeyErrorMessage);
  }

  sms(): void {
    this.state.run(this.api.requestSms(), (res) => this.state.succeed(sentMessage('SMS sent to', res)));
  }

  voice(): void {
    this.state.run(this.api.requestCall(), (res) => this.state.succeed(sentMessage('Calling', res)));
  }

  verify(): void {
    this.state.run(this.api.verifyToken(this.token), () => this.passed());
  }

  /** Push Auth: also the one way to try again after a denial, an expiry or a failure. */
  startPush(): void {
    void this.state.run(this.api.createPush(), () => {
      this.state.succeed('Push request sent: approve it on your phone.');
      this.push.start();
    });
  }

  private pushDone(outcome: PushOutcome, message?: string): void {
    if (outcome === 'approved') {
      this.state.succeed('Push request approved.');
      this.passed();
      return;
    }
    this.state.fail(outcome === 'error' ? (message ?? 'The push request failed.') : PUSH_FAILURES[outcome]);
  }

  private passed(): void {
    this.push.stop();
    void this.$state.go('protected');
  }
}

/** "SMS sent to +1-XXX-XXX-1234." from the masked number, else the upstream message. */
function sentMessage(prefix: string, res: CodeSent): string {
  return res.cellphone ? `${prefix} ${res.cellphone}.` : res.message;
}

/**
 * What the page shows besides the form, asked before it renders so nothing moves in later. Not
 * knowing is not an error: without the QR code or the passkey, the other channels remain.
 */
const resolve = {
  // Only the login that registered sets up its soft token here, before 2FA; after 2FA (a fresh
  // check) that is /protected's.
  enrolment: [
    'api',
    (api: ApiService) =>
      api
        .loggedIn()
        .then((next) => (next === '/2fa' ? api.softTokenEnrolment() : null))
        .catch(() => null),
  ],
  passkeyOffered: [
    'api',
    'passkeys',
    '$q',
    (api: ApiService, passkeys: PasskeyService, $q: IQService) =>
      $q
        .all([passkeys.unavailableReason(), api.hasPasskey()])
        .then(([reason, has]) => reason === '' && has)
        .catch(() => false),
  ],
};

/** `/2fa`: the second factor by token, SMS, voice, push or a passkey. */
export default pageModule(
  {
    name: 'twofa',
    url: '/2fa',
    component: 'twofa',
    resolve,
    data: { requires: 'login', title: 'Two-factor authentication' },
  },
  { bindings: { enrolment: '<', passkeyOffered: '<' }, controller: TwofaController, template },
);
