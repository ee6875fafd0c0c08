// What a person meets on Authy, at desktop and phone widths (test/support/experience.ts).
import { describeExperience } from '../support/experience';

describeExperience('authy', 5100);
