import { MAX_PASSKEYS, MAX_PASSKEY_NAME_LENGTH, RECHECK_FIELD, type PasskeySummary } from '../../common/passkey-info';
import type { ApiService } from '../core/api.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';

/** The passkey list on /account: Add, an inline Rename, Remove, and the fresh check they may ask for. */
export class PasskeyListController {
  static $inject = ['api', 'passkeys'];
  list: PasskeySummary[] = [];
  max = MAX_PASSKEYS;
  readonly maxNameLength = MAX_PASSKEY_NAME_LENGTH;
  loaded = false;
  /** Why this page cannot add a passkey ('' when it can). */
  unavailable = '';
  /** The passkey whose name is being edited, and the name as typed. */
  editing?: string;
  name = '';
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
  ) {}

  $onInit(): void {
    void this.passkeys.unavailableReason().then((reason) => (this.unavailable = reason));
    this.state.run(this.api.listPasskeys(), (body) => this.show(body.passkeys));
  }

  /** The server asks for a second-factor check first (adding or removing needs one within 5 minutes). */
  get needsCheck(): boolean {
    return this.state.field === RECHECK_FIELD;
  }

  add(): void {
    this.state.run(
      this.passkeys.register(),
      (added) => {
        this.show([...this.list, added]);
        this.state.succeed(`Passkey added as “${added.name}”. You can rename it.`);
      },
      passkeyErrorMessage,
    );
  }

  /** A fresh check with one of the passkeys, right here (a token works too, on /2fa). */
  confirmWithPasskey(): void {
    this.state.run(this.passkeys.check(), () => this.state.succeed('Thank you. You can now add or remove passkeys.'), passkeyErrorMessage);
  }

  edit(passkey: PasskeySummary): void {
    this.editing = passkey.id;
    this.name = passkey.name;
    this.state.clear();
  }

  cancelEdit(): void {
    this.editing = undefined;
  }

  saveName(passkey: PasskeySummary): void {
    this.state.run(this.api.renamePasskey(passkey.id, this.name), (renamed) => {
      this.show(this.list.map((p) => (p.id === renamed.id ? renamed : p)));
      this.editing = undefined;
      this.state.succeed(`Renamed to “${renamed.name}”.`);
    });
  }

  remove(passkey: PasskeySummary): void {
    this.state.run(this.api.removePasskey(passkey.id), () => {
      this.show(this.list.filter((p) => p.id !== passkey.id));
      this.state.succeed(`“${passkey.name}” removed.`);
    });
  }

  private show(list: PasskeySummary[]): void {
    this.list = list;
    this.loaded = true;
  }
}
