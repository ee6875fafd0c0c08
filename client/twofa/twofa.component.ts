import type { IQService, ITimeoutService } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import { RECOVERY_CODES_LOW } from '../../common/account-api';
import type { AccountApiService } from '../core/account-api.service';
import { errorMessage, type ApiService, type CodeSent, type SoftTokenEnrolment } from '../core/api.service';
import type { SiteService } from '../core/site.service';
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

/** Pages a fresh check may come back to (the `then` parameter); anything else goes to /protected. */
const RETURN_STATES = new Set(['protected', 'account']);

class TwofaController {
  static $inject = ['api', 'accountApi', 'site', 'passkeys', '$state', '$timeout'];
  token = '';
  /** A login at the second factor (a resolve); false for a fresh check after 2FA. */
  atLogin = false;
  /** "Remember this browser" (REMEMBER_BROWSER_DAYS; 0 hides it), offered to a login, not to a fresh check. */
  rememberDays = 0;
  remember = false;
  /** "Use a recovery code": its field, once asked for. */
  recoveryOpen = false;
  recoveryCode = '';
  /** The soft token to set up first, when the 2FA provider enrols one here (Twilio Verify): a resolve. */
  enrolment: SoftTokenEnrolment | null = null;
  /** "Use a passkey" shows only for someone who has one, where passkeys work: a resolve. */
  passkeyOffered = false;
  readonly state = new RequestState();
  readonly push: PushPoller;

  constructor(
    private readonly api: ApiService,
    private readonly accountApi: AccountApiService,
    private readonly site: SiteService,
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

  $onInit(): void {
    this.rememberDays = this.atLogin ? this.site.info.rememberBrowserDays : 0;
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

  /** A recovery code in place of the second factor; /protected then says how many are left. */
  useRecoveryCode(): void {
    this.state.run(this.accountApi.useRecoveryCode(this.recoveryCode), (remaining) => {
      const left = `${remaining} recovery code${remaining === 1 ? '' : 's'} left`;
      this.passed(
        remaining <= RECOVERY_CODES_LOW
          ? `Recovery code accepted. Only ${left}: generate new ones soon.`
          : `Recovery code accepted: ${left}.`,
      );
    });
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

  /** 2FA passed: this browser remembered if asked, then on to /protected (or back to the page that asked for a fresh check). */
  private passed(said = ''): void {
    this.push.stop();
    const then: unknown = this.$state.params.then;
    const go = (message: string) =>
      typeof then === 'string' && RETURN_STATES.has(then) && then !== 'protected'
        ? this.$state.go(then)
        : this.$state.go('protected', { said: message || null });
    if (!this.remember) return void go(said);
    this.accountApi.rememberBrowser().then(
      () => void go(said),
      (rejection: unknown) => void go(`${said} This browser was not remembered: ${errorMessage(rejection)}`.trim()),
    );
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
  atLogin: [
    'api',
    (api: ApiService) =>
      api
        .loggedIn()
        .then((next) => next === '/2fa')
        .catch(() => false),
  ],
  // Only the login that registered sets up its soft token here, before 2FA; after 2FA (a fresh
  // check) that is /account's.
  enrolment: ['api', 'atLogin', (api: ApiService, atLogin: boolean) => (atLogin ? api.softTokenEnrolment().catch(() => null) : null)],
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

/** `/2fa`: the second factor by token, SMS, voice, push, a passkey or a recovery code; "Remember this browser". */
export default pageModule(
  {
    name: 'twofa',
    url: '/2fa',
    component: 'twofa',
    resolve,
    data: { requires: 'login', title: 'Two-factor authentication' },
    params: { then: null },
  },
  { bindings: { atLogin: '<', enrolment: '<', passkeyOffered: '<' }, controller: TwofaController, template },
);
