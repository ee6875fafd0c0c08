// Request bodies are read field by field: anything but a non-empty string is a 400 naming the
// field, so objects such as {"$ne": null} never reach a query.
import { HttpError } from './errors';

type Body = Record<string, unknown>;

export function bodyOf(req: { body?: unknown }): Body {
  const body = req.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : {};
}

export interface StringRule {
  label?: string;
  max?: number;
  pattern?: RegExp;
  patternMessage?: string;
}

export function requireString(body: Body, field: string, rule: StringRule = {}): string {
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
  username: { label: 'Username', max: 64, pattern: /^[\w.@+-]+$/, patternMessage: 'Username may use letters, digits and . _ @ + - only.' },
  email: { label: 'Email', max: 254, pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, patternMessage: 'Email is not a valid address.' },
  password: { label: 'Password', max: 256 },
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
