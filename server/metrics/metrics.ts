// What the app counts for Prometheus (prom-client), named for what an operator watches: SMS
// pumping (codes sent per country calling code), 2FA outcomes, limit refusals, the provider's
// errors and response time, database outages, passkeys, logins, and request latency per route.
// Each app has its own registry; routes call the named functions below and never see prom-client.
// No label holds a username, number, address or token: every label value comes from a short
// fixed list, except the country calling code (digits) and the route (Express's pattern).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ProviderName } from '../platform/config';

export type Channel = 'sms' | 'call';
export type SecondFactorMethod = 'token' | 'push' | 'passkey' | 'recovery_code';
export type Outcome = 'success' | 'failure';
export type PasskeyCeremony = 'register' | 'second_factor' | 'sign_in';
export type LoginMethod = 'password' | 'passkey';
export type ProviderErrorKind = 'error' | 'timeout' | 'rate_limited';

export interface Metrics {
  readonly registry: Registry;
  /** An SMS or call the provider accepted, 2FA or phone verification; `callingCode` digits, or 'unknown'. */
  codeSent: (channel: Channel, provider: ProviderName, callingCode: string) => void;
  secondFactor: (method: SecondFactorMethod, outcome: Outcome) => void;
  /** An attempt limit or send budget refused a request (429, or 503 for the global ceiling). */
  limitRefused: (limit: string) => void;
  providerError: (provider: ProviderName, operation: string, kind: ProviderErrorKind) => void;
  /** Seconds one call to the 2FA API took, whatever its outcome. */
  providerDuration: (provider: ProviderName, operation: string, seconds: number) => void;
  /** The database became unreachable for this process (once per outage). */
  databaseOutage: () => void;
  passkeyCeremony: (ceremony: PasskeyCeremony, outcome: Outcome) => void;
  login: (method: LoginMethod, outcome: Outcome) => void;
  /** Seconds from a request's arrival to its response's end; `route` is the route's pattern. */
  request: (route: string, method: string, status: number, seconds: number) => void;
}

export const METRIC_PREFIX = 'asq_';

/** `processMetrics`: Node's and the process's own (CPU, memory, event loop, GC), for a real server. */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: METRIC_PREFIX + name, help, labelNames, registers: [registry] });

  const codes = counter('codes_sent_total', 'SMS and calls with a code that the 2FA API accepted', ['channel', 'provider', 'country_code']);
  const secondFactors = counter('second_factor_total', 'Second-factor checks that passed or failed, by method', ['method', 'outcome']);
  const refusals = counter('limit_refusals_total', 'Requests refused by an attempt limit or send budget, by limit', ['limit']);
  const providerErrors = counter('provider_errors_total', "Calls to the 2FA API that failed: 'error', 'timeout' or 'rate_limited'", [
    'provider',
    'operation',
    'kind',
  ]);
  const outages = counter('database_outages_total', 'Times this process found the database unreachable', []);
  const ceremonies = counter('passkey_ceremonies_total', 'Passkey ceremonies answered, by ceremony and outcome', ['ceremony', 'outcome']);
  const logins = counter('logins_total', 'Login attempts by method and outcome', ['method', 'outcome']);
  const providerSeconds = new Histogram<'provider' | 'operation'>({
    name: `${METRIC_PREFIX}provider_request_duration_seconds`,
    help: 'Time one call to the 2FA API took',
    labelNames: ['provider', 'operation'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requestSeconds = new Histogram<'route' | 'method' | 'status'>({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time from a request to the end of its response, by route pattern, method and status class',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    codeSent: (channel, provider, callingCode) => codes.inc({ channel, provider, country_code: callingCode }),
    secondFactor: (method, outcome) => secondFactors.inc({ method, outcome }),
    limitRefused: (limit) => refusals.inc({ limit }),
    providerError: (provider, operation, kind) => providerErrors.inc({ provider, operation, kind }),
    providerDuration: (provider, operation, seconds) => providerSeconds.observe({ provider, operation }, seconds),
    databaseOutage: () => outages.inc(),
    passkeyCeremony: (ceremony, outcome) => ceremonies.inc({ ceremony, outcome }),
    login: (method, outcome) => logins.inc({ method, outcome }),
    request: (route, method, status, seconds) => requestSeconds.observe({ route, method, status: statusClass(status) }, seconds),
  };
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
/** 200 → "2xx": a handful of series per route rather than one per status code. */
const statusClass = (status: number) => STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other';
