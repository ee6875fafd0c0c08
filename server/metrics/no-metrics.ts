// The metrics of an app whose metrics nothing can read (neither METRICS_TOKEN nor METRICS_PORT
// is set): every call does nothing, no request is timed, and prom-client is never loaded.
import type { Metrics } from './metrics';

const nothing = () => {};

export const NO_METRICS: Metrics = {
  get registry(): never {
    throw new Error('metrics are off: there is no registry');
  },
  codeSent: nothing,
  secondFactor: nothing,
  limitRefused: nothing,
  providerError: nothing,
  providerDuration: nothing,
  databaseOutage: nothing,
  passkeyCeremony: nothing,
  login: nothing,
  request: nothing,
};

/** Whether `metrics` keeps what it is told (anything but NO_METRICS). */
export const isRecording = (metrics: Metrics) => metrics !== NO_METRICS;
