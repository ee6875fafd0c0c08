// The decision store: every push request either API sends to "the phone", one collection for
// both, and the phone's one answer to each (approve or deny on /sandbox). Answering is a claim,
// so a request is answered once whatever the number of clicks; the API that sent it is then told
// in its own way (Authy's signed callback, Verify's signed webhook) by what it registered.
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ApprovalStatus } from '../../../common/approval-status';
import type { ExpirySpec } from '../../db/expiry';
import { modelOn } from '../../db/model-on';
import type { ProviderName } from '../../platform/config';
import { laterThan, type SandboxContext } from './context';

/** A detail shown with the request. Kept as pairs: the labels are the caller's and may hold `.` or `$`. */
export interface Field {
  label: string;
  value: string;
}

/** What is stored; 'expired' is derived from `pendingUntil` (effectiveStatus). */
export type StoredStatus = Exclude<ApprovalStatus, 'expired'>;
export type Answer = 'approved' | 'denied';

export interface PushRequest<Extra extends object = object> {
  /** The API's id for it (Authy's uuid, Verify's Challenge sid). */
  id: string;
  provider: ProviderName;
  /** Whose phone it is on: the API's id of the user (an Authy id, a Verify identity). */
  account: string;
  /** The part of the API it belongs to, where an account has several (a Verify Service); else null. */
  scope: string | null;
  message: string;
  details: Field[];
  /** null when none were sent (Verify answers null then, Authy `{}`). */
  hiddenDetails: Field[] | null;
  status: StoredStatus;
  createdAt: Date;
  updatedAt: Date;
  decidedAt: Date | null;
  /** Until when it can be answered. */
  pendingUntil: Date;
  /** It stays readable (as "expired", say) until then. */
  expiresAt: Date;
  /** What only its API keeps with it. */
  extra: Extra;
}

/** A request stays readable this long after it can no longer be answered. */
export const PUSH_RETENTION_MS = 24 * 60 * 60 * 1000;

export const PUSH_COLLECTION = 'sandbox_push_requests';
export const PUSH_EXPIRY: ExpirySpec = { collection: PUSH_COLLECTION, field: 'expiresAt' };

// Not `required`: mongoose would refuse an empty string, which both APIs accept.
export const fieldSchema = new Schema<Field>({ label: { type: String }, value: { type: String } }, { _id: false });

const schema = new Schema<PushRequest>(
  {
    id: { type: String, required: true },
    provider: { type: String, required: true },
    account: { type: String, required: true },
    scope: { type: String, default: null },
    message: { type: String, required: true },
    details: { type: [fieldSchema], default: [] },
    hiddenDetails: { type: [fieldSchema], default: undefined },
    status: { type: String, required: true, enum: ['pending', 'approved', 'denied'] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    decidedAt: { type: Date, default: null },
    pendingUntil: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    extra: { type: Schema.Types.Mixed, default: {} },
  },
  { autoIndex: false, versionKey: false, minimize: false },
);
schema.index({ id: 1 }, { unique: true });
schema.index({ createdAt: -1 });

export function effectiveStatus(r: Pick<PushRequest, 'status' | 'pendingUntil'>, now: Date): ApprovalStatus {
  return r.status === 'pending' && now.getTime() >= r.pendingUntil.getTime() ? 'expired' : r.status;
}

export const pairsOf = (record: Readonly<Record<string, string>>): Field[] =>
  Object.entries(record).map(([label, value]) => ({ label, value }));
export const recordOf = (fields: readonly Field[]): Record<string, string> =>
  Object.fromEntries(fields.map(({ label, value }) => [label, value]));

/** How an API tells the app that the phone answered (it may fail: the app polls as well). */
export type AnswerSender = (request: PushRequest & { status: Answer }) => Promise<unknown>;

export class PushRequests {
  readonly model: Model<PushRequest>;
  private readonly senders = new Map<ProviderName, AnswerSender>();

  constructor(
    connection: Connection,
    private readonly ctx: SandboxContext,
  ) {
    this.model = modelOn(connection, 'SandboxPushRequest', schema, PUSH_COLLECTION);
  }

  /** How `provider` tells the app of an answer (each half registers its own). */
  answersGoBy(provider: ProviderName, send: AnswerSender): void {
    this.senders.set(provider, send);
  }

  async create<Extra extends object>(
    request: Pick<PushRequest<Extra>, 'id' | 'provider' | 'account' | 'scope' | 'message' | 'details' | 'hiddenDetails' | 'extra'>,
    pendingUntil: Date,
  ): Promise<PushRequest<Extra>> {
    const now = this.ctx.now();
    const created = await this.model.create({
      ...request,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      decidedAt: null,
      pendingUntil,
      expiresAt: new Date(pendingUntil.getTime() + PUSH_RETENTION_MS),
    });
    // `extra` is what the caller gave.
    return created.toObject() as unknown as PushRequest<Extra>;
  }

  /** A readable request of `provider` (and `scope`, for an API that has them). */
  async find<Extra extends object>(provider: ProviderName, id: string, scope: string | null = null) {
    if (id.length > 64) return null;
    return this.model
      .findOne({ id, provider, scope, expiresAt: laterThan(this.ctx.now()) })
      .lean<PushRequest<Extra> & { _id: Types.ObjectId }>();
  }

  /**
   * The phone's answer to a pending, unexpired request — once: only the caller that claims the
   * answer writes it — then its API tells the app. 'not-found' or 'not-pending' when it cannot.
   */
  async decide(id: string, status: Answer): Promise<'ok' | 'not-found' | 'not-pending'> {
    const now = this.ctx.now();
    const request = id.length > 64 ? null : await this.model.findOne({ id, expiresAt: laterThan(now) }).lean<PushRequest>();
    if (!request) return 'not-found';
    if (effectiveStatus(request, now) !== 'pending') return 'not-pending';
    if (!(await this.ctx.claim(`push:${id}`, request.expiresAt))) return 'not-pending';
    await this.model.updateOne({ id }, { $set: { status, decidedAt: now, updatedAt: now } });
    this.ctx.logger.info(`[sandbox] push request ${id} ${status}`);
    await this.senders.get(request.provider)?.({ ...request, status, decidedAt: now, updatedAt: now });
    return 'ok';
  }

  /** Newest first, with their status now. */
  async list(limit = 50) {
    const now = this.ctx.now();
    const list = await this.model
      .find({ expiresAt: laterThan(now) })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<PushRequest[]>();
    return list.map((r) => ({ ...r, effectiveStatus: effectiveStatus(r, now) }));
  }
}
