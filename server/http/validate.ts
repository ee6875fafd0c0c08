// Request bodies are read field by field: anything but a non-empty string is a 400 naming the
// field, so objects such as {"$ne": null} never reach a query. Field names come from the body's
// type in common/api.ts, the one the SPA sends.
import { PASSWORD_MAX, USERNAME_MAX, USERNAME_PATTERN } from '../../common/account-rules';
import type { PhoneNumber } from '../../common/api';
import { callingCodeOf, normalizePhone, type Phone } from '../../common/phone-number';
import { HttpError } from './errors';

/** A request body as sent: the fields of `T`, each anything at all until it is checked. */
export type Fields<T> = { [K in keyof T]?: unknown };

/** The body's fields, named as `T` names them (common/api.ts); {} for a body that is not an object. */
export function bodyOf<T = Record<string, unknown>>(req: { body?: unknown }): Fields<T> {
  const body = req.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
}

export interface StringRule {
  label?: string;
  max?: number;
  pattern?: RegExp;
  patternMessage?: string;
}

export function requireString<T>(body: Fields<T>, field: keyof T & string, rule: StringRule = {}): string {
  const label = rule.label ?? field;
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    throw new HttpError(400, `${label} is required.`, field);
  }
  if (typeof value !== 'string') throw new HttpError(400, `${label} must be a string.`, field);
  const trimmed = field === 'password' ? value : value.trim();
  if (trimmed === '') throw new HttpError(400, `${label} is required.`, field);
  if (trimmed.length > (rule.max ?? 256)) throw new HttpError(400, `${label} is too long.`, field);
  if (rule.pattern && !rule.pattern.test(trimmed)) {
    throw new HttpError(400, rule.patternMessage ?? `${label} is not valid.`, field);
  }
  return trimmed;
}

export const rules = {
  username: {
    label: 'Username',
    max: USERNAME_MAX,
    pattern: USERNAME_PATTERN,
    patternMessage: 'Username may use letters, digits and . _ @ + - only.',
  },
  email: { label: 'Email', max: 254, pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, patternMessage: 'Email is not a valid address.' },
  password: { label: 'Password', max: PASSWORD_MAX },
  countryCode: { label: 'Country code', max: 5, pattern: /^\+?\d{1,4}$/, patternMessage: 'Country code must be 1 to 4 digits.' },
  phoneNumber: {
    label: 'Phone number',
    max: 32,
    pattern: /^[\d\s().-]{4,}$/,
    patternMessage: 'Phone number may use digits, spaces, dots, dashes and brackets only.',
  },
  token: { label: 'Token', max: 10, pattern: /^\d{6,10}$/, patternMessage: 'Token must be 6 to 10 digits.' },
  verificationCode: { label: 'Code', max: 10, pattern: /^\d{4,10}$/, patternMessage: 'Code must be 4 to 10 digits.' },
  via: { label: 'Via', max: 4, pattern: /^(sms|call)$/, patternMessage: 'Via must be "sms" or "call".' },
} satisfies Record<string, StringRule>;

/** Country codes arrive as "+1" or "1"; Authy wants digits. */
export const digitsOnly = (s: string) => s.replace(/\D/g, '');

/** `country_code` and `phone_number`, as one number valid for that calling code; else a 400 naming the field. */
export function requirePhone(body: Fields<PhoneNumber>): Phone {
  const codeText = requireString(body, 'country_code', rules.countryCode);
  const numberText = requireString(body, 'phone_number', rules.phoneNumber);
  if (!callingCodeOf(codeText)) throw new HttpError(400, 'Country code is not a calling code in use.', 'country_code');
  const check = normalizePhone(codeText, numberText);
  if (!check.ok) throw new HttpError(400, check.error, 'phone_number');
  return { e164: check.e164, callingCode: check.callingCode, national: check.national };
}
