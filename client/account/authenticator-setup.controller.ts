import { RECHECK_FIELD } from '../../common/passkey-info';
import { errorField, type ApiService, type SoftTokenEnrolment } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';

/** "Set up an authenticator app" on /account: the QR code and its first code, behind a fresh second factor. */
export class AuthenticatorSetupController {
  static $inject = ['api', 'passkeys'];
  /** 'recheck': a fresh second factor first; 'ready': the QR code; 'done': set up just now. */
  step: 'hidden' | 'recheck' | 'ready' | 'done' = 'hidden';
  enrolment: SoftTokenEnrolment | null = null;
  token = '';
  passkeyOffered = false;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
  ) {}

  $onInit(): void {
    this.load();
    // Without an answer, "Confirm with 2FA" remains.
    void this.passkeys
      .unavailableReason()
      .then((reason) => (reason === '' ? this.api.hasPasskey() : false))
      .then((has) => (this.passkeyOffered = has))
      .catch(() => undefined);
  }

  /** Asks for the QR code again (after a fresh check). */
  load(): void {
    this.api.softTokenEnrolment().then(
      (enrolment) => {
        this.enrolment = enrolment;
        this.step = enrolment ? 'ready' : 'hidden';
      },
      (rejection: unknown) => {
        this.step = errorField(rejection) === RECHECK_FIELD ? 'recheck' : 'hidden';
      },
    );
  }

  confirmWithPasskey(): void {
    this.state.run(this.passkeys.check(), () => this.load(), passkeyErrorMessage);
  }

  submit(): void {
    void this.state
      .run(this.api.enrolSoftToken(this.token), () => {
        this.step = 'done';
        this.enrolment = null;
        this.state.succeed('Your authenticator app is set up: its codes work at /2fa from now on.');
      })
      .then(() => {
        if (this.state.field === RECHECK_FIELD) this.step = 'recheck';
      });
  }
}
