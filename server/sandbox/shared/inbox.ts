// The phone's inbox: every code either API "sends" by SMS or call, one collection for both, shown
// newest first on /sandbox (and logged, so a terminal is enough). An API that checks a code
// against what it sent (Authy: 2FA codes and phone verifications) finds it here, by its `key`.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ExpirySpec } from '../../db/expiry';
import { modelOn } from '../../db/model-on';
import type { ProviderName } from '../../platform/config';
import { laterThan, type SandboxContext } from './context';

export type Channel = 'sms' | 'call';

/** A code "sent": 10 minutes, as long as it can be used. */
export interface SentCode {
  provider: ProviderName;
  /** What the code is for, as the API names it (Authy: '2fa' or 'verification'; Verify: 'verify'). */
  purpose: string;
  /** The number, as the page and the log show it ("+1 555-…4567"). */
  to: string;
  /** The number in E.164 when the API has it so (the page names its owner by it). */
  phone?: string;
  /** The API's id of the user the code was sent to, when it sends to users rather than numbers. */
  account?: string;
  /** What the API finds the code by when it checks it against this message (Authy: its user's id, the phone verified). */
  key?: string;
  /** When the API accepted it (a claim decided that; this keeps a used code from being found again). */
  usedAt?: Date | null;
  channel: Channel;
  code: string;
  sentAt: Date;
  expiresAt: Date;
}

export const INBOX_COLLECTION = 'sandbox_codes';
export const INBOX_EXPIRY: ExpirySpec = { collection: INBOX_COLLECTION, field: 'expiresAt' };

const schema = new Schema<SentCode>(
  {
    provider: { type: String, required: true },
    purpose: { type: String, required: true },
    to: { type: String, required: true },
    phone: { type: String },
    account: { type: String },
    key: { type: String },
    usedAt: { type: Date, default: null },
    channel: { type: String, required: true, enum: ['sms', 'call'] },
    code: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { autoIndex: false, versionKey: false },
);
schema.index({ key: 1, sentAt: -1 });
schema.index({ sentAt: -1 });

export const CODE_LIFETIME_MS = 10 * 60 * 1000;

export class Inbox {
  readonly model: Model<SentCode>;

  constructor(
    connection: Connection,
    private readonly ctx: SandboxContext,
  ) {
    this.model = modelOn(connection, 'SandboxCode', schema, INBOX_COLLECTION);
  }

  /** "Sends" a code: logs it and puts it in the inbox. */
  async deliver(code: Omit<SentCode, 'sentAt' | 'expiresAt'> & { expiresAt?: Date }): Promise<void> {
    const sentAt = this.ctx.now();
    const label = code.channel === 'sms' ? 'SMS' : 'Call';
    this.ctx.logger.info({ provider: code.provider, purpose: code.purpose }, `[sandbox] ${label} to ${code.to}: ${code.code}`);
    await this.model.create({ expiresAt: new Date(sentAt.getTime() + CODE_LIFETIME_MS), ...code, sentAt });
  }

  /** The newest live code the API sent under `key` for `purpose`; given `code`, an unused one of that value. */
  findLive(provider: ProviderName, purpose: string, key: string, code?: string) {
    const value = code === undefined ? {} : { code, usedAt: null };
    return this.model
      .findOne({ provider, purpose, key, ...value, expiresAt: laterThan(this.ctx.now()) })
      .sort({ sentAt: -1, _id: -1 })
      .lean<SentCode & { _id: Types.ObjectId }>();
  }

  markUsed(id: Types.ObjectId): Promise<unknown> {
    return this.model.updateOne({ _id: id }, { $set: { usedAt: this.ctx.now() } });
  }

  list(limit = 50) {
    return this.model
      .find({ expiresAt: laterThan(this.ctx.now()) })
      .sort({ sentAt: -1 })
      .limit(limit)
      .lean<SentCode[]>();
  }
}
