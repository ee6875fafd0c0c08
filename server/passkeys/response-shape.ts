// The JSON a browser posts after a WebAuthn ceremony (@simplewebauthn/browser's
// RegistrationResponseJSON and AuthenticationResponseJSON), checked field by field before the
// library sees it: anything else is a 400 naming the field.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { HttpError } from '../http/errors';

/** Credential ids are at most 1023 bytes; the encoded parts of a response stay far below the 10 kB body limit. */
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** WebAuthn's transports (a hint for the browser on where to look for a passkey). */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

const common = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(2000),
    attestationObject: base64url(8000),
    // Transports this app does not know yet are dropped, not refused.
    transports: z
      .array(z.string().max(32))
      .max(10)
      .optional()
      .transform((list) => list?.filter((t) => TRANSPORTS.has(t))),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(2000),
    authenticatorData: base64url(2000),
    signature: base64url(1000),
    userHandle: base64url(100).optional(),
  }),
});

/** Zod's issue, in the words of the app's other 400s. */
function problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.endsWith('received undefined')
        ? 'is missing'
        : `must be ${issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_big':
      return 'is too long';
    case 'too_small':
      return 'is empty';
    default:
      return issue.message;
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.join('.') || 'the body';
  // `field` names the body's own field, as for every other route; the sentence says where inside it.
  throw new HttpError(400, `The passkey response is malformed: ${path} ${problem(issue)}.`, String(issue.path[0] ?? 'id'));
}

export const registrationResponse = (body: unknown): RegistrationResponseJSON => parse(registrationSchema, body);
export const authenticationResponse = (body: unknown): AuthenticationResponseJSON => parse(authenticationSchema, body);
