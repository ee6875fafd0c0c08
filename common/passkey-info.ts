/** A passkey as GET /api/passkeys lists it: what the person needs to tell them apart. Nothing secret. */
export interface PasskeySummary {
  /** The credential id (base64url), also the key of PATCH and DELETE /api/passkeys/:id. */
  id: string;
  name: string;
  /** ISO dates. */
  createdAt: string;
  lastUsedAt: string | null;
  /** True when the passkey is synced (backed up) across the person's devices. */
  synced: boolean;
}

/** GET /api/passkeys. */
export interface PasskeyList {
  passkeys: PasskeySummary[];
  /** The most one person may have. */
  max: number;
}

/** How many passkeys a person may register. */
export const MAX_PASSKEYS = 10;

/** The most characters a passkey's name may have. */
export const MAX_PASSKEY_NAME_LENGTH = 64;

/** Sent with a 403 (as `field`) when an action needs a second-factor check within the last few minutes. */
export const RECHECK_FIELD = 'recheck';
