// The account page's journeys on the Authy sandbox (test/support/account-journeys.ts).
import { accountJourneys } from '../support/account-journeys';

accountJourneys('authy', 3500);
