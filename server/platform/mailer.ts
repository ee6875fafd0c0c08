// Sending an email: one function, so the password reset does not care whether the mail goes out
// by SMTP (SMTP_URL, through nodemailer) or into the sandbox's outbox (shown on /sandbox).
import type { Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * SMTP_URL, e.g. smtps://user:password@mail.example.com:465, with MAIL_FROM as the sender.
 * nodemailer is loaded with the first mail, not at start-up.
 */
export function smtpMailer(url: string, from: string): Mailer {
  let transport: Promise<Transporter> | undefined;
  return {
    async send(mail) {
      transport ??= import('nodemailer').then((nodemailer) => nodemailer.default.createTransport(url));
      await (await transport).sendMail({ from, ...mail });
    },
  };
}
