// Every test file: no outbound network but localhost; no nock left over between tests.
import nock from 'nock';

if (!nock.isActive()) nock.activate();
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));

afterEach(() => {
  const pending = nock.pendingMocks();
  // A delayed reply the app already gave up on (a timeout test) must not keep its timer running.
  nock.abortPendingRequests();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`Upstream calls (Authy, Twilio Verify) expected but not made: ${pending.join(', ')}`);
});

// Jest gives each file fresh modules but one shared `http`: a previous file's nock would
// otherwise keep intercepting (and refusing) this file's requests.
afterAll(() => {
  nock.restore();
});
