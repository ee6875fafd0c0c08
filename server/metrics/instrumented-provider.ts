// The 2FA provider as the routes see it, with every call to its API timed and its failures
// counted (errors, time-outs, rate limits), and every SMS or call it accepted counted by the
// destination's country calling code: one wrapper instead of a hook in each route.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { HttpError } from '../http/errors';
import type { TwoFactorProvider } from '../providers/provider';
import type { Metrics, ProviderErrorKind } from './metrics';

/** "+14155550100" → "1"; 'unknown' for a user stored without a number (the original's). */
export function callingCodeOf(e164: string | undefined): string {
  return (e164 && parsePhoneNumberFromString(e164)?.countryCallingCode) || 'unknown';
}

/** What a failed call means for the operator: the provider's 429 is a rate limit, 504 a time-out, any 5xx an error; our own 4xx (a user it cannot serve) is none. */
function errorKind(err: unknown): ProviderErrorKind | undefined {
  if (!(err instanceof HttpError)) return 'error';
  if (err.status === 504) return 'timeout';
  if (err.status === 429) return 'rate_limited';
  return err.status >= 500 ? 'error' : undefined;
}

export function instrumentedProvider<R extends object>(provider: TwoFactorProvider<R>, metrics: Metrics): TwoFactorProvider<R> {
  const { name } = provider;
  async function timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } catch (err) {
      const kind = errorKind(err);
      if (kind) metrics.providerError(name, operation, kind);
      throw err;
    } finally {
      metrics.providerDuration(name, operation, (performance.now() - start) / 1000);
    }
  }
  return {
    name,
    callback: provider.callback,
    refusal: (user) => provider.refusal(user),
    pendingSoftToken: (user) => provider.pendingSoftToken(user),
    register: (person) => timed('register', () => provider.register(person)),
    changePhone: (person) => timed('change_phone', () => provider.changePhone(person)),
    renewSoftToken: (user) => timed('renew_soft_token', () => provider.renewSoftToken(user)),
    async sendCode(user, channel) {
      const sent = await timed('send_code', () => provider.sendCode(user, channel));
      metrics.codeSent(channel, name, callingCodeOf(user.phone));
      return sent;
    },
    checkToken: (user, token, context) => timed('check_token', () => provider.checkToken(user, token, context)),
    createPush: (user, request) => timed('create_push', () => provider.createPush(user, request)),
    pushStatus: (user, id) => timed('push_status', () => provider.pushStatus(user, id)),
    async startPhoneVerification(phone, via) {
      const started = await timed('start_phone_verification', () => provider.startPhoneVerification(phone, via));
      metrics.codeSent(via, name, phone.callingCode);
      return started;
    },
    checkPhoneVerification: (phone, code, codeId) =>
      timed('check_phone_verification', () => provider.checkPhoneVerification(phone, code, codeId)),
  };
}
