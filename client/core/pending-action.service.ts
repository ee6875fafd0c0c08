/** An action on /account that asked for a fresh check first, and the check's reason as /2fa says it. */
export type PendingAction = { kind: 'add' } | { kind: 'remove'; id: string; name: string };

/** Why /2fa is open on a signed-in person (`?why=`): the sentence, from a fixed list. */
export const CHECK_REASONS: Record<string, string> = {
  'add-passkey': 'Confirm it is you to add a passkey.',
  'remove-passkey': 'Confirm it is you to remove the passkey.',
  'set-up-app': 'Confirm it is you to set up an authenticator app.',
  'change-account': 'Confirm it is you to change your account.',
  'see-recovery-codes': 'Confirm it is you to see your recovery codes.',
};

export const reasonOf = (action: PendingAction): string => (action.kind === 'add' ? 'add-passkey' : 'remove-passkey');

/**
 * The action waiting for "Confirm with 2FA": kept while the person is on /2fa, finished when
 * they come back (within this page load; a reload forgets it, and the person presses again).
 */
export class PendingActionService {
  action?: PendingAction;

  take(): PendingAction | undefined {
    const action = this.action;
    this.action = undefined;
    return action;
  }
}
