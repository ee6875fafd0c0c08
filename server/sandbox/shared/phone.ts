// Phone numbers as the sandbox shows them. Authy masks all but the last four digits in its
// answers ("+1-XXX-XXX-1234"); the sandbox's log and inbox say where a code went without
// spelling out the whole number ("+1 555-…4567").
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export { maskCellphone } from '../../../common/phone-number';

/** The inbox's and the log's "to": "+1 555-…4567". */
export function displayPhone(countryCode: string, national: string): string {
  if (national.length <= 7) return `+${countryCode} …${national.slice(-4)}`;
  return `+${countryCode} ${national.slice(0, 3)}-…${national.slice(-4)}`;
}

/** The same from an E.164 number (Verify's `To`). */
export function displayE164(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? displayPhone(parsed.countryCallingCode, parsed.nationalNumber) : `…${e164.slice(-4)}`;
}
