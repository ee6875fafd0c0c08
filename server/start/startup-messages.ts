// What the server says when it starts: which 2FA API it talks to, and the sandbox's banner.
import type { Config } from '../platform/config';

const PROVIDER_NAMES = { authy: 'Authy', verify: 'Twilio Verify v2' } as const;

/** "2FA provider: Twilio Verify v2 (embedded sandbox)". */
export const providerLine = (config: Config) =>
  `2FA provider: ${PROVIDER_NAMES[config.provider]}${config.sandbox ? ' (embedded sandbox)' : ''}`;

export function sandboxBanner(config: Config, port: number): string {
  const other = config.provider === 'authy' ? 'verify' : 'authy';
  return [
    '',
    `  SANDBOX MODE: no credentials are set, so the app talks to the sandbox's copy of ${PROVIDER_NAMES[config.provider]}.`,
    `  Codes and push requests appear at http://localhost:${port}/sandbox ("the phone") and in this log.`,
    `  TWOFA_PROVIDER=${other} runs the app on the sandbox's ${PROVIDER_NAMES[other]} instead.`,
    '  Set ACCOUNT_SECURITY_API_KEY (Authy) or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and VERIFY_SERVICE_SID (Verify)',
    '  to use a real API. Never expose sandbox mode to the internet.',
    `  Listening on ${config.host} only${config.host === '127.0.0.1' ? ' (set HOST to change)' : ''}.`,
    '',
  ].join('\n');
}
