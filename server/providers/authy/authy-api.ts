// The Authy calls the app makes. authy-client for users, codes and approval requests; axios for
// phone verification and approval status, as the original did. The base URL is configurable so
// the same code talks to Authy, to nock in tests, or to the embedded sandbox.
import type { AxiosInstance, AxiosStatic } from 'axios';
import type { Client as AuthyClient } from 'authy-client';
import { HttpError } from '../../http/errors';
import { isApprovalStatus, type ApprovalStatus } from '../../../common/approval-status';
import type { SendResult } from '../provider';
import { authyErrorCode, authyStatus, INVALID_API_KEY, upstreamError } from './authy-error';

export interface ApprovalRequest {
  message: string;
  visibleDetails: Record<string, string>;
  hiddenDetails: Record<string, string>;
  ttlSeconds: number;
}

export interface AuthyApi {
  registerUser(user: { email: string; phone: string; countryCode: string }): Promise<string>;
  requestSms(authyId: string): Promise<SendResult>;
  requestCall(authyId: string): Promise<SendResult>;
  /** False for a wrong or used token; throws for anything else. */
  verifyToken(authyId: string, token: string): Promise<boolean>;
  createApprovalRequest(authyId: string, request: ApprovalRequest): Promise<string>;
  getApprovalStatus(uuid: string): Promise<ApprovalStatus>;
  startPhoneVerification(p: { via: 'sms' | 'call'; phone: string; countryCode: string }): Promise<string>;
  /** False for a wrong code; throws for anything else. */
  checkPhoneVerification(p: { phone: string; countryCode: string; code: string }): Promise<boolean>;
}

export interface AuthyApiOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs?: number;
}

/** Runs an upstream call and turns its failure into an HttpError. */
async function upstream<T>(call: () => PromiseLike<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw upstreamError(err);
  }
}

/** A wrong code is an answer, not a failure: Authy says it with 401. */
async function wrongCodeIsFalse(call: () => PromiseLike<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (authyStatus(err as object) === 401 && authyErrorCode(err as object) !== INVALID_API_KEY) return false;
    throw upstreamError(err);
  }
}

export function createAuthyApi({ apiKey, baseUrl, timeoutMs = 10_000 }: AuthyApiOptions): AuthyApi {
  // Loaded at the first call, so an app on Verify never loads them, and one on Authy starts
  // without them: authy-client (with `request` and Google's phone number metadata) and axios add
  // some 20 MB to the process and take about 0.3 s to load (0.7 s on a busy machine), which the
  // first Authy call of each process waits once (docs/architecture.md, "What start-up loads").
  let loaded: { client: AuthyClient; http: AxiosInstance } | undefined;
  const clients = () => (loaded ??= load());
  const load = () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('authy-client') as { Client: typeof AuthyClient };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios = (require('axios') as { default: AxiosStatic }).default;
    return {
      client: new Client({ key: apiKey }, { host: baseUrl, timeout: timeoutMs }),
      http: axios.create({
        baseURL: baseUrl,
        timeout: timeoutMs,
        headers: { 'X-Authy-API-Key': apiKey },
        maxRedirects: 0,
        proxy: false,
      }),
    };
  };
  const sendResult = (res: { message: string; cellphone: string }): SendResult => ({ message: res.message, cellphone: res.cellphone });

  return {
    async registerUser({ email, phone, countryCode }) {
      const res = await upstream(() => clients().client.registerUser({ countryCode, email, phone }));
      return String(res.user.id);
    },
    async requestSms(authyId) {
      return sendResult(await upstream(() => clients().client.requestSms({ authyId }, { force: true })));
    },
    async requestCall(authyId) {
      return sendResult(await upstream(() => clients().client.requestCall({ authyId }, { force: true })));
    },
    verifyToken(authyId, token) {
      return wrongCodeIsFalse(() => clients().client.verifyToken({ authyId, token }));
    },
    async createApprovalRequest(authyId, req) {
      const res = await upstream(() =>
        clients().client.createApprovalRequest(
          { authyId, message: req.message, details: { visible: req.visibleDetails, hidden: req.hiddenDetails } },
          { ttl: req.ttlSeconds },
        ),
      );
      return res.approval_request.uuid;
    },
    async getApprovalStatus(uuid) {
      const res = await upstream(() =>
        clients().http.get<{ approval_request?: { status?: unknown } }>(`/onetouch/json/approval_requests/${encodeURIComponent(uuid)}`),
      );
      const status = res.data?.approval_request?.status;
      if (!isApprovalStatus(status)) throw new HttpError(502, 'Authy sent an answer we did not expect.');
      return status;
    },
    async startPhoneVerification({ via, phone, countryCode }) {
      const res = await upstream(() =>
        clients().http.post<{ message?: unknown }>('/protected/json/phones/verification/start', {
          via,
          phone_number: phone,
          country_code: countryCode,
          code_length: 4,
        }),
      );
      const message = res.data?.message;
      return typeof message === 'string' ? message : 'Verification code sent.';
    },
    checkPhoneVerification({ phone, countryCode, code }) {
      return wrongCodeIsFalse(() =>
        clients().http.get('/protected/json/phones/verification/check', {
          params: { phone_number: phone, country_code: countryCode, verification_code: code },
        }),
      );
    },
  };
}
