// The Verify sandbox's own state, in collections prefixed `sandbox_verify_` on the app's
// connection. Entities and factors stay (as registered users do); verifications and TOTP
// challenges expire, and every read filters on their expiry. The codes it sends are in the
// shared inbox, its push challenges in the shared push requests.
import { Schema, type Connection, type Model } from 'mongoose';
import type { ExpirySpec } from '../../db/expiry';
import { modelOn } from '../../db/model-on';
import type { Channel } from '../shared/inbox';
import { fieldSchema, type Field } from '../shared/push-requests';

/** A user of the Verify Service, known by the app's identity. */
export interface VerifyEntity {
  sid: string;
  serviceSid: string;
  identity: string;
  createdAt: Date;
}

export type FactorType = 'totp' | 'push';

export interface VerifyFactor {
  sid: string;
  serviceSid: string;
  identity: string;
  entitySid: string;
  factorType: FactorType;
  friendlyName: string;
  status: 'unverified' | 'verified';
  /** TOTP: base32 secret (RFC 6238, SHA-1, 30 s, 6 digits). */
  secret?: string;
  /** TOTP: the last time step accepted. */
  totpLastStep: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A Challenge as Verify answers it: a TOTP challenge stored here, or a push challenge (the shared push requests). */
export interface VerifyChallenge {
  sid: string;
  serviceSid: string;
  identity: string;
  entitySid: string;
  factorSid: string;
  factorType: FactorType;
  /** What is stored; 'expired' is derived from expirationDate. */
  status: 'pending' | 'approved' | 'denied';
  message: string | null;
  fields: Field[];
  /** null when none were sent. */
  hiddenDetails: Field[] | null;
  createdAt: Date;
  updatedAt: Date;
  respondedAt: Date | null;
  expirationDate: Date;
}

/** A TOTP challenge: approved or not by its code when created. */
export interface TotpChallenge extends VerifyChallenge {
  expiresAt: Date;
}

export interface SendAttempt {
  attemptSid: string;
  channel: Channel;
  time: Date;
}

/** An SMS or call verification: one code for 10 minutes, at most 5 sends and 5 checks. */
export interface VerifyVerification {
  sid: string;
  serviceSid: string;
  to: string;
  channel: Channel;
  code: string;
  status: 'pending' | 'approved';
  sendCodeAttempts: SendAttempt[];
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

export const VERIFY_COLLECTIONS = {
  entities: 'sandbox_verify_entities',
  factors: 'sandbox_verify_factors',
  challenges: 'sandbox_verify_challenges',
  verifications: 'sandbox_verify_verifications',
} as const;

export const VERIFY_EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  { collection: VERIFY_COLLECTIONS.challenges, field: 'expiresAt' },
  { collection: VERIFY_COLLECTIONS.verifications, field: 'expiresAt' },
];

const options = { autoIndex: false, versionKey: false } as const;

const entitySchema = new Schema<VerifyEntity>(
  {
    sid: { type: String, required: true },
    serviceSid: { type: String, required: true },
    identity: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  options,
);
entitySchema.index({ serviceSid: 1, identity: 1 }, { unique: true });

const factorSchema = new Schema<VerifyFactor>(
  {
    sid: { type: String, required: true },
    serviceSid: { type: String, required: true },
    identity: { type: String, required: true },
    entitySid: { type: String, required: true },
    factorType: { type: String, required: true, enum: ['totp', 'push'] },
    friendlyName: { type: String, required: true },
    status: { type: String, required: true, enum: ['unverified', 'verified'] },
    secret: { type: String },
    totpLastStep: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  options,
);
factorSchema.index({ sid: 1 }, { unique: true });
factorSchema.index({ serviceSid: 1, identity: 1 });
factorSchema.index({ createdAt: -1 });

const challengeSchema = new Schema<TotpChallenge>(
  {
    sid: { type: String, required: true },
    serviceSid: { type: String, required: true },
    identity: { type: String, required: true },
    entitySid: { type: String, required: true },
    factorSid: { type: String, required: true },
    factorType: { type: String, required: true, enum: ['totp', 'push'] },
    status: { type: String, required: true, enum: ['pending', 'approved', 'denied'] },
    message: { type: String, default: null },
    fields: { type: [fieldSchema], default: [] },
    hiddenDetails: { type: [fieldSchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    respondedAt: { type: Date, default: null },
    expirationDate: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  options,
);
challengeSchema.index({ sid: 1 }, { unique: true });

const attemptSchema = new Schema<SendAttempt>(
  {
    attemptSid: { type: String, required: true },
    channel: { type: String, required: true, enum: ['sms', 'call'] },
    time: { type: Date, required: true },
  },
  { _id: false },
);

const verificationSchema = new Schema<VerifyVerification>(
  {
    sid: { type: String, required: true },
    serviceSid: { type: String, required: true },
    to: { type: String, required: true },
    channel: { type: String, required: true, enum: ['sms', 'call'] },
    code: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'approved'] },
    sendCodeAttempts: { type: [attemptSchema], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  options,
);
verificationSchema.index({ sid: 1 }, { unique: true });
verificationSchema.index({ serviceSid: 1, to: 1, createdAt: -1 });

export interface VerifyModels {
  entities: Model<VerifyEntity>;
  factors: Model<VerifyFactor>;
  challenges: Model<TotpChallenge>;
  verifications: Model<VerifyVerification>;
}

export function verifyModels(connection: Connection): VerifyModels {
  return {
    entities: modelOn(connection, 'SandboxVerifyEntity', entitySchema, VERIFY_COLLECTIONS.entities),
    factors: modelOn(connection, 'SandboxVerifyFactor', factorSchema, VERIFY_COLLECTIONS.factors),
    challenges: modelOn(connection, 'SandboxVerifyChallenge', challengeSchema, VERIFY_COLLECTIONS.challenges),
    verifications: modelOn(connection, 'SandboxVerifyVerification', verificationSchema, VERIFY_COLLECTIONS.verifications),
  };
}
