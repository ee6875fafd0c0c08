import type { IPromise } from 'angular';
import type { StateService } from '@uirouter/angularjs';
import { MAX_PASSKEYS, MAX_PASSKEY_NAME_LENGTH, RECHECK_FIELD, type PasskeySummary } from '../../common/passkey-info';
import type { ApiService } from '../core/api.service';
import { reasonOf, type PendingAction, type PendingActionService } from '../core/pending-action.service';
import { passkeyErrorMessage, type PasskeyService } from '../core/passkeys.service';
import { RequestState } from '../core/request-state';

/**
 * The passkey list on /account: Add, an inline Rename, Remove (once confirmed), and the fresh
 * check they may ask for. The action that asked for the check finishes after it by itself, here
 * (a passkey) or on the way back from /2fa.
 */
export class PasskeyListController {
  static $inject = ['api', 'passkeys', '$state', 'pendingAction'];
  list: PasskeySummary[] = [];
  max = MAX_PASSKEYS;
  readonly maxNameLength = MAX_PASSKEY_NAME_LENGTH;
  loaded = false;
  /** Why this page cannot add a passkey ('' when it can). */
  unavailable = '';
  /** The passkey whose name is being edited, and the name as typed. */
  editing?: string;
  name = '';
  /** The passkey whose Remove waits for "Yes, remove it". */
  confirming?: string;
  /** The action that asked for a fresh check. */
  waiting?: PendingAction;
  readonly state = new RequestState();

  constructor(
    private readonly api: ApiService,
    private readonly passkeys: PasskeyService,
    private readonly $state: StateService,
    private readonly pending: PendingActionService,
  ) {}

  $onInit(): void {
    void this.passkeys.unavailableReason().then((reason) => (this.unavailable = reason));
    const comingBack = this.pending.take();
    void this.state
      .run(this.api.listPasskeys(), (body) => this.show(body.passkeys))
      .then(() => {
        if (comingBack && this.loaded) void this.run(comingBack);
      });
  }

  /** The server asks for a second-factor check first (adding or removing needs one within 5 minutes). */
  get needsCheck(): boolean {
    return this.state.field === RECHECK_FIELD;
  }

  add(): void {
    this.run({ kind: 'add' });
  }

  /** Remove asks first; "Yes, remove it" removes. */
  remove(passkey: PasskeySummary): void {
    this.state.clear();
    this.editing = undefined;
    this.confirming = passkey.id;
  }

  confirmRemove(passkey: PasskeySummary): void {
    this.confirming = undefined;
    this.run({ kind: 'remove', id: passkey.id, name: passkey.name });
  }

  keep(): void {
    this.confirming = undefined;
  }

  /** A fresh check with one of the passkeys, right here; then the action that asked for it. */
  confirmWithPasskey(): void {
    const waiting = this.waiting;
    this.state.run(
      this.passkeys.check(),
      () => {
        // Then the list again: the passkey just used shows its last use.
        if (waiting) void this.run(waiting).then(() => this.refreshUse());
        else {
          this.state.succeed('Thank you. You can now add or remove passkeys.');
          this.refreshUse();
        }
      },
      passkeyErrorMessage,
    );
  }

  /** A fresh check on /2fa, which says why and comes back here to finish the action. */
  confirmWith2fa(): void {
    if (this.waiting) this.pending.action = this.waiting;
    void this.$state.go('twofa', { next: '/account', why: reasonOf(this.waiting ?? { kind: 'add' }) });
  }

  edit(passkey: PasskeySummary): void {
    this.editing = passkey.id;
    this.confirming = undefined;
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

  /** Runs the action; when the server asks for a fresh check first, it waits for one in `waiting`. */
  private run(action: PendingAction): IPromise<void> {
    this.waiting = action;
    const done = () => (this.waiting = undefined);
    const settled = () => {
      if (!this.needsCheck) done();
    };
    if (action.kind === 'add') {
      return this.state
        .run(
          this.passkeys.register(),
          (added) => {
            done();
            this.show([...this.list, added]);
            this.state.succeed(`Passkey added as “${added.name}”. You can rename it.`);
          },
          passkeyErrorMessage,
        )
        .then(settled);
    }
    return this.state
      .run(this.api.removePasskey(action.id), () => {
        done();
        this.show(this.list.filter((p) => p.id !== action.id));
        this.state.succeed(`“${action.name}” removed.`);
      })
      .then(settled);
  }

  /** The passkey just used shows its last use. */
  private refreshUse(): void {
    this.api.listPasskeys().then(
      (body) => this.show(body.passkeys),
      () => undefined,
    );
  }

  private show(list: PasskeySummary[]): void {
    this.list = list;
    this.loaded = true;
  }
}
