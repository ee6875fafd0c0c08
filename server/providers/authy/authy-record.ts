// What the Authy adapter keeps on a user: the Authy id, under the original quickstart's field
// name, so its database can be reused. auth/user.model.ts puts it beside the other providers' records.
import type { SchemaDefinition } from 'mongoose';
import type { ProviderRecordSpec } from '../provider';

export interface AuthyRecord {
  /** Authy's id for the user. The original saved `null` here when Authy refused a registration. */
  authyId?: string | null;
}

export const authyRecord: ProviderRecordSpec<AuthyRecord> = {
  fields: { authyId: { type: String } } satisfies SchemaDefinition,
  isHeldBy: (user) => typeof user.authyId === 'string' && user.authyId !== '',
  accountPath: 'authyId',
  accountOf: (user) => user.authyId ?? undefined,
};
