// The sandbox's mailbox: what the app "emails" when no SMTP_URL is set (a password reset link),
// kept a day and shown in the "Mail" section of /sandbox. The log names the recipient and the
// subject only: a link in a mail is a secret (a reset link signs whoever holds it in).
import { Schema, type Connection, type Model } from 'mongoose';
import type { ExpirySpec } from '../../db/expiry';
import { modelOn } from '../../db/model-on';
import type { Mail, Mailer } from '../../platform/mailer';
import type { Logger } from '../../platform/logger';
import { laterThan } from './context';

export interface SentMail extends Mail {
  sentAt: Date;
  expiresAt: Date;
}

export const MAILBOX_COLLECTION = 'sandbox_mail';
export const MAILBOX_EXPIRY: ExpirySpec = { collection: MAILBOX_COLLECTION, field: 'expiresAt' };
const KEPT_MS = 24 * 60 * 60 * 1000;

const schema = new Schema<SentMail>(
  {
    to: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { autoIndex: false, versionKey: false },
);
schema.index({ sentAt: -1 });

export class Mailbox implements Mailer {
  readonly model: Model<SentMail>;

  constructor(
    connection: Connection,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.model = modelOn(connection, 'SandboxMail', schema, MAILBOX_COLLECTION);
  }

  async send(mail: Mail): Promise<void> {
    const sentAt = this.now();
    this.logger.info(`[sandbox] Mail to ${mail.to}: ${mail.subject}`);
    await this.model.create({
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      sentAt,
      expiresAt: new Date(sentAt.getTime() + KEPT_MS),
    });
  }

  /** The newest mails first. */
  list(limit: number): Promise<SentMail[]> {
    return this.model
      .find({ expiresAt: laterThan(this.now()) })
      .sort({ sentAt: -1, _id: -1 })
      .limit(limit)
      .lean<SentMail[]>()
      .exec();
  }
}
