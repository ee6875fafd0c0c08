import type { IPromise, IQService, IWindowService } from 'angular';
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { PasskeySummary } from '../../common/passkey-info';
import { errorMessage, type ApiService } from './api.service';
import type { SiteService } from './site.service';

/** The browser's side of a ceremony (@simplewebauthn/browser), injectable so tests can stand in for the authenticator. */
export interface WebAuthnBrowser {
  startRegistration: typeof startRegistration;
  startAuthentication: typeof startAuthentication;
  browserSupportsWebAuthn: typeof browserSupportsWebAuthn;
}

export const webAuthnBrowser: WebAuthnBrowser = { startRegistration, startAuthentication, browserSupportsWebAuthn };

/** What the browser's WebAuthn errors mean to the person (by DOMException name). */
const BROWSER_ERRORS: Record<string, string> = {
  NotAllowedError: 'The passkey was not used: the request was cancelled, timed out, or your device could not check it was you.',
  InvalidStateError: 'This device already holds a passkey for this account.',
  SecurityError: 'Passkeys do not work at this address.',
  NotSupportedError: 'This device offers no kind of passkey this site accepts.',
};

/** A sentence for a failed passkey ceremony: the browser's refusal, or the server's answer. */
export function passkeyErrorMessage(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  if (err instanceof Error && typeof name === 'string' && name in BROWSER_ERRORS) return BROWSER_ERRORS[name];
  return errorMessage(err);
}

/**
 * Passkey ceremonies as the pages run them: options from the server, the browser's
 * navigator.credentials call, the answer back to the server. The browser's promises are
 * wrapped in $q, so pages see the result in a digest.
 */
export class PasskeyService {
  static $inject = ['api', 'site', '$q', '$window', 'webAuthnBrowser'];
  private reason?: IPromise<string>;

  constructor(
    private readonly api: ApiService,
    private readonly site: SiteService,
    private readonly $q: IQService,
    private readonly $window: IWindowService,
    private readonly browser: WebAuthnBrowser,
  ) {}

  /** Why passkeys cannot be used on this page, or '' when they can. Asked once per page load. */
  unavailableReason(): IPromise<string> {
    this.reason ??= this.site.load().then((info) => {
      if (!info.passkeyOrigin) return 'Passkeys are off on this server (its PUBLIC_URL is an IP address).';
      if (info.passkeyOrigin !== this.$window.location.origin) return `Passkeys work at ${info.passkeyOrigin}, not at this address.`;
      if (!this.browser.browserSupportsWebAuthn()) return 'This browser does not support passkeys.';
      return '';
    });
    return this.reason;
  }

  /** Creates a passkey on this device for the logged-in person. */
  register(): IPromise<PasskeySummary> {
    return this.api
      .passkeyRegistrationOptions()
      .then((optionsJSON) => this.$q.when(this.browser.startRegistration({ optionsJSON })))
      .then((response) => this.api.registerPasskey(response));
  }

  /** A passkey as the second factor, or as a fresh check after it. */
  check(): IPromise<void> {
    return this.api
      .passkeyCheckOptions()
      .then((optionsJSON) => this.$q.when(this.browser.startAuthentication({ optionsJSON })))
      .then((response) => this.api.verifyPasskey(response))
      .then(() => undefined);
  }

  /** Sign-in with a passkey alone (discoverable, user verification required). */
  signIn(): IPromise<void> {
    return this.api
      .passkeySignInOptions()
      .then((optionsJSON) => this.$q.when(this.browser.startAuthentication({ optionsJSON })))
      .then((response) => this.api.signInWithPasskey(response))
      .then(() => undefined);
  }
}
