import type { IQService, ITimeoutService } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import type { ApiService, CodeSent, SoftTokenEnrolment } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';
import { PushPoller, PUSH_WAIT_SECONDS } from './push-poller';
import type { PushOutcome } from './push-poller';
import template from './twofa.html';
import { pageModule } from '../core/page-module';

const PUSH_FAILURES: Record<Exclude<PushOutcome, 'approved' | 'error'>, string> = {
  denied: 'The push request was denied.',
  expired: 'The push request expired.',
  timeout: `No answer within ${PUSH_WAIT_SECONDS} s: the push request timed out.`,
};

class TwofaController {
  static $inject = ['api', 'passkeys', '$state', '$timeout', '$q'];
  token = '';
  pushCanRetry = false;
  /** The soft token to set up first, when the 2FA provider enrols one here (Twilio Verify). */
  enrolment: SoftTokenEnrolment | null = null;
  /** "Use a passkey" shows only for someone who has one, where passkeys work. */
  passkeyOffered = false;
  readonly state = new RequestState();
  readonly push: PushPoller;

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
    $timeout: ITimeoutService,
    private readonly $q: IQService,
  ) {
    this.push = new PushPoller(
      $timeout,
      () => this.api.pushStatus(),
      (outcome, message) => this.pushDone(outcome, message),
    );
  }

  $onInit(): void {
    // Only the login that registered sets up its soft token here, before 2FA; after 2FA (a fresh
    // check) that is /protected's. Not knowing is not an error: the page works without it.
    this.api
      .loggedIn()
      .then((next) => (next === '/2fa' ? this.api.softTokenEnrolment() : null))
      .then(
        (enrolment) => (this.enrolment = enrolment),
        () => undefined,
      );
    // Not worth an error on the page: without an answer, the other channels remain.
    void this.$q
      .all([this.passkeys.unavailableReason(), this.api.hasPasskey()])
      .then(([reason, has]) => (this.passkeyOffered = reason === '' && has))
      .catch(() => undefined);
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

  startPush(): void {
    this.pushCanRetry = false;
    this.state
      .run(this.api.createPush(), () => {
        this.state.succeed('Push request sent: approve it on your phone.');
        this.push.start();
      })
      .then(() => {
        if (this.state.error) this.pushCanRetry = true;
      });
  }

  private pushDone(outcome: PushOutcome, message?: string): void {
    if (outcome === 'approved') {
      this.state.succeed('Push request approved.');
      this.passed();
      return;
    }
    this.state.fail(outcome === 'error' ? (message ?? 'The push request failed.') : PUSH_FAILURES[outcome]);
    this.pushCanRetry = true;
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

/** `/2fa`: the second factor by token, SMS, voice, push or a passkey. */
export default pageModule(
  {
    name: 'twofa',
    url: '/2fa',
    component: 'twofa',
    data: { requires: 'login', title: 'Two-factor authentication' },
  },
  { controller: TwofaController, template },
);
