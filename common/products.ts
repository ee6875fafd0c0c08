// The 2FA provider's name and words, in one place: the SPA's pages and the sandbox page take
// every mention of Authy or Verify from here, by the provider GET /api/config names. The
// original quickstart's sentences are kept for Authy, the provider they were written for.

/** The 2FA API the app talks to (TWOFA_PROVIDER). */
export type ProviderId = 'authy' | 'verify';

export interface Link {
  text: string;
  href: string;
}

export interface Product {
  /** "Twilio Authy", "Twilio Verify". */
  name: string;
  /** /protected's heading and first sentence. */
  protectedTitle: string;
  protectedLead: string;
  /** /verified's heading (phone verification). */
  verifiedTitle: string;
  /**
   * How long a code sent by SMS or call can be used, in minutes, as /2fa says it. Verify's is its
   * documented default (a Service may have it changed by Twilio's support); Authy documents none
   * for its SMS and voice codes, so this is the sandbox's, which plays both (sandbox/service.ts).
   */
  codeLifetimeMinutes?: number;
  /** Where a push request shows up, for /2fa's "Approve on your phone". */
  pushApp: string;
  /** The resource links of the home page, and of the other pages. */
  homeLinks: Link[];
  pageLinks: Link[];
}

const QUICKSTART = 'https://github.com/TwilioDevEd/account-security-quickstart-node';
const AUTHY_SAMPLES = 'https://github.com/AuthySE/Authy-API-Samples';
const VERIFY_DOCS = 'https://www.twilio.com/docs/verify';
const ACCOUNT_SECURITY = 'Browse the links below for more information related to Twilio Account Security.';

const authyLinks = (info: string, repository: string): Link[] => [
  { text: info, href: 'https://www.twilio.com/authy' },
  { text: 'Command Line Examples', href: AUTHY_SAMPLES },
  { text: 'Authy Postman Collection', href: `${AUTHY_SAMPLES}/tree/master/postman` },
  { text: 'Authy Form Helpers', href: 'https://github.com/Authy/authy-form-helpers' },
  { text: repository, href: QUICKSTART },
];

const verifyLinks = (repository: string): Link[] => [
  { text: 'Verify Documentation', href: VERIFY_DOCS },
  { text: 'Verify API Reference', href: `${VERIFY_DOCS}/api` },
  { text: 'Verify Quickstarts (SMS, TOTP, Push)', href: `${VERIFY_DOCS}/quickstarts` },
  { text: 'Migrating from Authy to Verify', href: 'https://www.twilio.com/blog/migrate-authy-to-verify' },
  { text: repository, href: QUICKSTART },
];

export const PRODUCTS: Record<ProviderId, Product> = {
  authy: {
    name: 'Twilio Authy',
    protectedTitle: 'Protected by Twilio Authy 2FA',
    protectedLead: `Congrats! You have successfully implemented Twilio Authy Two-factor Authentication. ${ACCOUNT_SECURITY}`,
    verifiedTitle: 'Protected by Twilio Authy',
    codeLifetimeMinutes: 10,
    pushApp: 'the Authy app',
    homeLinks: authyLinks('Account Security Info', 'Quickstart Demo Repository'),
    pageLinks: authyLinks('Authy Info', 'Quickstart Repository'),
  },
  verify: {
    name: 'Twilio Verify',
    protectedTitle: 'Protected by Twilio Verify',
    protectedLead: `Congrats! You have successfully implemented Two-factor Authentication with Twilio Verify. ${ACCOUNT_SECURITY}`,
    verifiedTitle: 'Protected by Twilio Verify',
    codeLifetimeMinutes: 10,
    pushApp: 'the app on your phone',
    homeLinks: verifyLinks('Quickstart Demo Repository'),
    pageLinks: verifyLinks('Quickstart Repository'),
  },
};

/** Words that name no provider, for a page that could not learn which one runs. */
export const UNKNOWN_PRODUCT: Product = {
  name: 'the 2FA provider',
  protectedTitle: 'Protected by two-factor authentication',
  protectedLead: `Congrats! You have successfully implemented Two-factor Authentication. ${ACCOUNT_SECURITY}`,
  verifiedTitle: 'Phone verified',
  pushApp: 'the app on your phone',
  homeLinks: [{ text: 'Quickstart Demo Repository', href: QUICKSTART }],
  pageLinks: [{ text: 'Quickstart Repository', href: QUICKSTART }],
};

export const productOf = (provider: ProviderId | null | undefined): Product => (provider && PRODUCTS[provider]) || UNKNOWN_PRODUCT;
