// The account page's journeys on the Twilio Verify sandbox (test/support/account-journeys.ts).
import { accountJourneys } from '../support/account-journeys';

accountJourneys('verify', 3700);
