// How the app says where a code went, in 2FA and phone verification alike: one name for each
// channel and one masking (the last four digits), so no page shows a whole number or calls the
// call "Voice" in one place and "Phone call" in another. The server's messages and the SPA use it.

export type CodeChannel = 'sms' | 'call';

/** The channel's one name, on buttons and in sentences. */
export const CHANNEL_NAMES: Record<CodeChannel, string> = { sms: 'SMS', call: 'Voice call' };

/** Waiting this long before "Send again" keeps a person from sending codes that cross in the air. */
export const RESEND_AFTER_S = 30;

/** "…0123": the last four digits of a number, however it was written or masked ("+1-XXX-XXX-0123"). */
export function lastDigits(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits ? `…${digits.slice(-4)}` : '';
}

function validity(minutes: number | undefined): string {
  if (minutes === undefined) return '';
  return minutes === 1 ? ', valid 1 minute' : `, valid ${minutes} minutes`;
}

/** "Code sent by SMS to …0123, valid 10 minutes." / "Calling …0123, valid 10 minutes." */
export function codeSentText(channel: CodeChannel, number: string, validMinutes?: number): string {
  const to = lastDigits(number);
  const where = to ? ` ${to}` : ' your phone';
  const head = channel === 'sms' ? `Code sent by SMS to${where}` : `Calling${where} with a code`;
  return `${head}${validity(validMinutes)}.`;
}
