import type { IPromise, IQService, ITimeoutService } from 'angular';
import type { StateService, Transition } from '@uirouter/angularjs';
import { RECOVERY_CODES_LOW } from '../../common/account-api';
import { CHANNEL_NAMES, codeSentText, RESEND_AFTER_S, type CodeChannel } from '../../common/code-sent';
import type { Product } from '../../common/products';
import type { AccountApiService } from '../core/account-api.service';
import { errorMessage, type ApiService, type SoftTokenEnrolment } from '../core/api.service';
import { returnState } from '../core/guards';
import { CHECK_REASONS } from '../core/pending-action.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';
import type { SessionService } from '../core/session.service';
import type { SiteService } from '../core/site.service';
import { PushPoller, PUSH_WAIT_SECONDS } from './push-poller';
import type { PushOutcome } from './push-poller';
import { textKeyOf } from './text-key';
import template from './twofa.html';
import { pageModule } from '../core/page-module';

/** The way to get a code the person chose: a channel, the push, or the code their app shows. */
export type Method = CodeChannel | 'push' | 'app';

/** The push's button, named the same in every sentence that points at it. */
export const PUSH_LABEL = 'Approve on your phone';
/** The push request expires when the SPA stops waiting ('timeout' only if the provider has not said so yet). */
const PUSH_EXPIRED = `No answer within ${PUSH_WAIT_SECONDS} s: the request expired. Press ${PUSH_LABEL} to send a new one.`;
const PUSH_FAILURES: Record<Exclude<PushOutcome, 'approved' | 'error'>, string> = {
  denied: `The request was denied on your phone. Press ${PUSH_LABEL} to send a new one.`,
  expired: PUSH_EXPIRED,
  timeout: PUSH_EXPIRED,
};

class TwofaController {
  static $inject = ['api', 'accountApi', 'passkeys', '$state', '$q', '$timeout', 'site', 'session'];
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
  /** A binding: the transition that opened the page (its `?next=`, the page to return to). */
  $transition$!: Transition;
  readonly channelNames = CHANNEL_NAMES;
  readonly pushLabel = PUSH_LABEL;
  readonly product: Product;
  /** The method last chosen, and what the code field says about it. */
  method?: Method;
  sent = '';
  /** Seconds before the same channel may send again (0: now). */
  resendIn = 0;
  /** Why a signed-in person is asked again (`?why=`): they come back to finish what they were doing. */
  reason = '';
  /** The enrolment's secret, in groups, for typing it in. */
  textKey = '';
  /** Each control's own messages, shown beside it. */
  readonly send = new RequestState();
  readonly check = new RequestState();
  readonly passkey = new RequestState();
  readonly recovery = new RequestState();
  readonly cancelState = new RequestState();
  /**
   * The push request's poller. The requests here that may change the session (a check that
   * passes 2FA, logout) go through its `exclusive`, so none overlaps a status poll: see push-poller.ts.
   */
  readonly push: PushPoller;
  private resendAt = 0;
  private resendTimer?: IPromise<void>;

  constructor(
    private readonly api: ApiService,
    private readonly accountApi: AccountApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
    $q: IQService,
    private readonly $timeout: ITimeoutService,
    private readonly site: SiteService,
    private readonly session: SessionService,
  ) {
    this.product = site.product;
    this.push = new PushPoller(
      $q,
      $timeout,
      (abort) => this.api.pushStatus(abort),
      (outcome, message) => this.pushDone(outcome, message),
    );
  }

  $onInit(): void {
    const why = this.$transition$.params().why as unknown;
    this.reason = typeof why === 'string' && Object.hasOwn(CHECK_REASONS, why) ? CHECK_REASONS[why] : '';
    this.textKey = this.enrolment ? textKeyOf(this.enrolment.otpauth_url) : '';
    this.rememberDays = this.atLogin ? this.site.info.rememberBrowserDays : 0;
  }

  $onDestroy(): void {
    this.push.stop();
    if (this.resendTimer) this.$timeout.cancel(this.resendTimer);
  }

  get busy(): boolean {
    return this.send.busy || this.check.busy || this.passkey.busy || this.recovery.busy || this.cancelState.busy;
  }

  usePasskey(): void {
    this.clearMessages();
    this.passkey.run(
      this.push.exclusive(() => this.passkeys.check()),
      () => this.passed(),
      passkeyErrorMessage,
    );
  }

  /** SMS or voice call: the code field then says where the code went and for how long it is good. */
  sendCode(channel: CodeChannel): void {
    const request = channel === 'sms' ? this.api.requestSms() : this.api.requestCall();
    this.clearMessages();
    this.send.run(request, (res) => {
      this.method = channel;
      this.sent = res.cellphone ? codeSentText(channel, res.cellphone, this.product.codeLifetimeMinutes) : res.message;
      this.startResendCountdown();
      this.focusCode();
    });
  }

  /** The code the authenticator app shows: nothing to send. */
  useApp(): void {
    this.clearMessages();
    this.method = 'app';
    this.sent = 'Type the 6-digit code your authenticator app shows now.';
    this.focusCode();
  }

  get canResend(): boolean {
    return (this.method === 'sms' || this.method === 'call') && this.resendIn === 0;
  }

  resend(): void {
    if (this.method === 'sms' || this.method === 'call') this.sendCode(this.method);
  }

  verify(): void {
    this.clearMessages();
    const token = this.token;
    this.check.run(
      this.push.exclusive(() => this.api.verifyToken(token)),
      () => this.passed(),
    );
  }

  /** A recovery code in place of the second factor; /protected then says how many are left. */
  useRecoveryCode(): void {
    this.clearMessages();
    const code = this.recoveryCode;
    this.recovery.run(
      this.push.exclusive(() => this.accountApi.useRecoveryCode(code)),
      (remaining) => {
        const left = `${remaining} recovery code${remaining === 1 ? '' : 's'} left`;
        this.passed(
          remaining <= RECOVERY_CODES_LOW
            ? `Recovery code accepted. Only ${left}: generate new ones soon.`
            : `Recovery code accepted: ${left}.`,
        );
      },
    );
  }

  /** Approve on your phone: also the one way to try again after a denial, an expiry or a failure. */
  startPush(): void {
    this.clearMessages();
    void this.send.run(this.api.createPush(), () => {
      this.method = 'push';
      this.send.succeed(`Request sent: approve it in ${this.product.pushApp}.`);
      this.push.start();
    });
  }

  /**
   * Cancel: logs out (a half-done login is not left behind) and goes back to /login; a check asked
   * for an action goes back to where it was asked, still signed in.
   */
  cancel(): void {
    this.push.stop();
    if (this.reason) {
      void this.$state.go(returnState(this.$transition$.params().next) ?? 'protected');
      return;
    }
    this.cancelState.run(
      this.push.exclusive(() => this.session.logout()),
      () => void this.$state.go('login'),
    );
  }

  /** A new action: the messages of the last one, beside whichever control, are gone. */
  private clearMessages(): void {
    for (const state of [this.send, this.check, this.passkey, this.recovery, this.cancelState]) state.clear();
  }

  private startResendCountdown(): void {
    this.resendAt = Date.now() + RESEND_AFTER_S * 1000;
    this.tickResend();
  }

  private tickResend(): void {
    if (this.resendTimer) this.$timeout.cancel(this.resendTimer);
    const left = this.resendAt - Date.now();
    this.resendIn = Math.max(0, Math.ceil(left / 1000));
    if (this.resendIn > 0) this.resendTimer = this.$timeout(() => this.tickResend(), left - (this.resendIn - 1) * 1000);
  }

  private focusCode(): void {
    this.$timeout(() => document.getElementById('token')?.focus(), 0, false);
  }

  private pushDone(outcome: PushOutcome, message?: string): void {
    if (outcome === 'approved') {
      this.send.succeed('Request approved.');
      this.passed();
      return;
    }
    this.send.fail(outcome === 'error' ? (message ?? 'The request failed.') : PUSH_FAILURES[outcome]);
  }

  /**
   * 2FA passed: this browser remembered if asked, then back to the page asked for (`?next=`), or
   * on to /protected, which says what there is to say (a recovery code's count, a browser not remembered).
   */
  private passed(said = ''): void {
    this.push.stop();
    const back = returnState(this.$transition$.params().next);
    const go = (message: string) =>
      back && back !== 'protected' ? this.$state.go(back) : this.$state.go('protected', { said: message || null });
    if (!this.remember) return void go(said);
    this.accountApi.rememberBrowser().then(
      () => void go(said),
      (rejection: unknown) => void go(`${said} This browser was not remembered: ${errorMessage(rejection)}`.trim()),
    );
  }
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

/**
 * `/2fa`: the second factor by a code (SMS, voice call, authenticator app), a push request, a
 * passkey or a recovery code; "Remember this browser".
 */
export default pageModule(
  {
    name: 'twofa',
    url: '/2fa?next&why',
    component: 'twofa',
    resolve,
    data: { requires: 'login', title: 'Two-factor authentication' },
  },
  { bindings: { atLogin: '<', enrolment: '<', passkeyOffered: '<', $transition$: '<' }, controller: TwofaController, template },
);
