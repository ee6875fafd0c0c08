// What the Twilio Verify adapter keeps on a user: its Entity and the Entity's TOTP factor.
// auth/user.model.ts puts it beside the other providers' records.
import { Schema } from 'mongoose';
import type { ProviderRecordSpec } from '../provider';

export interface VerifyEntity {
  /** The Verify Entity's identity (ours, random: Verify asks for no personal data there). */
  identity: string;
  /** The Entity's TOTP factor. */
  totpFactorSid: string;
  /** The factor's otpauth:// URI, kept only until the first code verifies the factor. */
  totpUri?: string;
  /** When that factor was created (users of earlier versions: their createdAt): one waiting over a day is replaced. */
  totpCreatedAt?: Date;
}

export interface VerifyRecord {
  verify?: VerifyEntity;
}

const entitySchema = new Schema<VerifyEntity>(
  {
    identity: { type: String, required: true },
    totpFactorSid: { type: String, required: true },
    totpUri: { type: String },
    totpCreatedAt: { type: Date },
  },
  { _id: false, strict: 'throw' },
);

export const verifyRecord: ProviderRecordSpec<VerifyRecord> = {
  fields: { verify: { type: entitySchema } },
  isHeldBy: (user) => user.verify !== undefined && user.verify !== null,
  accountPath: 'verify.identity',
  accountOf: (user) => user.verify?.identity,
};
