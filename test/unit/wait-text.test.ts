// How long to wait, as the limit messages and the SPA say it.
import { waitText } from '../../common/wait-text';

test.each([
  [1, '1 minute'],
  [60, '1 minute'],
  [61, '2 minutes'],
  [896, '15 minutes'],
  [3600, '60 minutes'],
  [5400, '90 minutes'],
  [5401, '2 hours'],
  [86_400, '24 hours'],
])('%i s → %s', (seconds, text) => {
  expect(waitText(seconds)).toBe(text);
});
