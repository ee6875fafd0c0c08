// A push request lives exactly as long as the SPA waits for it: when the SPA stops polling, the
// provider (and the sandbox's phone) has let it expire, so it cannot be approved unseen.
import { PUSH_POLL_INTERVAL_MS, PUSH_WAIT_SECONDS } from '../../client/twofa/push-poller';
import { PUSH_TTL_SECONDS } from '../../server/twofa/push-request';

test("the push request's ttl is the SPA's wait, and the last poll comes no earlier than it", () => {
  expect(PUSH_TTL_SECONDS).toBe(PUSH_WAIT_SECONDS);
  expect((PUSH_WAIT_SECONDS * 1000) % PUSH_POLL_INTERVAL_MS).toBe(0);
});
