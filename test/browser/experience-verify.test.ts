// What a person meets on Twilio Verify, at desktop and phone widths (test/support/experience.ts).
import { describeExperience } from '../support/experience';

describeExperience('verify', 5200);
