// Phone numbers for the server and the SPA alike: every country libphonenumber-js knows, and one
// normalisation to E.164, so "14155550100" and "4155550100" (+1) are the same number everywhere
// (limits, storage, upstream calls) and "04155550100" is refused.
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface Country {
  /** ISO 3166 code, e.g. "BD". */
  iso: CountryCode;
  name: string;
  /** Digits only, e.g. "880": what the API takes as `country_code`. */
  callingCode: string;
}

/** A phone number as the server uses it, once checked. */
export interface Phone {
  /** +14155550100: the one form limits, storage and upstream calls use. */
  e164: string;
  /** Digits of the calling code, e.g. "1". */
  callingCode: string;
  /** The national number, digits only, e.g. "4155550100". */
  national: string;
}

export type PhoneCheck = ({ ok: true; country?: CountryCode } & Phone) | { ok: false; error: string };

const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'region' }) : undefined;

/** Every country with its calling code, sorted by name. */
export function countries(): Country[] {
  return getCountries()
    .map((iso) => ({ iso, name: regionNames?.of(iso) ?? iso, callingCode: String(getCountryCallingCode(iso)) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/**
 * The countries a search names, best first: the calling code or the name's start, then a word of
 * the name starting with it, then the name containing it ("ger" → Germany before Algeria). An
 * empty search matches all of them, in name order.
 */
export function countryMatches(all: readonly Country[], search: string): Country[] {
  const q = search.trim().toLowerCase().replace(/^\+/, '');
  if (!q) return [...all];
  const rank = (c: Country): number => {
    const name = c.name.toLowerCase();
    if (c.callingCode === q || name.startsWith(q)) return 0;
    if (c.callingCode.startsWith(q) || name.split(/[\s(),.-]+/).some((word) => word.startsWith(q))) return 1;
    return name.includes(q) ? 2 : 3;
  };
  return all
    .map((c) => ({ c, r: rank(c) }))
    .filter(({ r }) => r < 3)
    .sort((a, b) => a.r - b.r)
    .map(({ c }) => c);
}

/** "+880" or "880" → "880"; undefined for anything that is not a calling code in use. */
export function callingCodeOf(text: string): string | undefined {
  const digits = text.trim().replace(/^\+/, '');
  if (!/^\d{1,4}$/.test(digits)) return undefined;
  return CALLING_CODES.has(digits) ? digits : undefined;
}

const CALLING_CODES = new Set(getCountries().map((iso) => String(getCountryCallingCode(iso))));

/**
 * The number in E.164 when it is valid for the calling code (or, with `country`, for that
 * country); otherwise a sentence saying what is wrong. A national trunk prefix ("0…", "1…" in
 * North America) is understood; a number written with its own "+…" must match the calling code.
 */
export function normalizePhone(callingCodeText: string, number: string, country?: CountryCode): PhoneCheck {
  const callingCode = callingCodeOf(callingCodeText);
  if (!callingCode) return { ok: false, error: 'Country code is not a calling code in use.' };
  if (!/^\+?[\d\s().-]{2,32}$/.test(number.trim())) {
    return { ok: false, error: 'Phone number may use digits, spaces, dots, dashes and brackets only.' };
  }
  const parsed = country
    ? parsePhoneNumberFromString(number, country)
    : parsePhoneNumberFromString(number, { defaultCallingCode: callingCode });
  const valid = parsed?.countryCallingCode === callingCode && parsed.isValid() && (!country || parsed.country === country);
  if (!parsed || !valid) {
    const where = country ? (regionNames?.of(country) ?? country) : `+${callingCode}`;
    return { ok: false, error: `Phone number is not a valid ${where} number.` };
  }
  return { ok: true, e164: parsed.number, callingCode, national: parsed.nationalNumber, country: parsed.country };
}

/** "+14155550100" → "+1 415 555 0100", for people to read. */
export function formatInternational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** Authy's masked cellphone: all but the last four digits hidden, "+1-XXX-XXX-1234". */
export function maskCellphone(callingCode: string, national: string): string {
  const last = national.slice(-4);
  const hidden = 'X'.repeat(Math.max(national.length - last.length, 0));
  const groups = hidden.match(/X{1,3}/g) ?? [];
  return ['+' + callingCode, ...groups, last].join('-');
}

/** The same mask from an E.164 number. */
export function maskE164(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? maskCellphone(parsed.countryCallingCode, parsed.nationalNumber) : `…${e164.slice(-4)}`;
}
