// The username and password rules: the server checks them (http/validate.ts, auth.routes.ts) and
// the registration form states them before anything is typed.

export const USERNAME_MAX = 64;
export const USERNAME_PATTERN = /^[\w.@+-]+$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** The rules as the form shows them, under each field. */
export const ACCOUNT_RULES = {
  username: `Letters, digits and . _ @ + - only; at most ${USERNAME_MAX} characters. Not case-sensitive.`,
  password: `At least ${PASSWORD_MIN} characters. A few unrelated words make a strong one.`,
} as const;

/** How long a password reset link works, once: the email and the "Forgot password?" page say so. */
export const RESET_LINK_MINUTES = 30;
