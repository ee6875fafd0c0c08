// The sandbox's pure parts: phone formats, codes, TOTP windows, approval expiry, and the signed
// callback checked by authy-client's own verifyCallback.
import { Client } from 'authy-client';
import { generateSync } from 'otplib';
import { isValidSignature } from '../../server/providers/authy/signature';
import { buildCallback, newNonce, signedUrl } from '../../server/sandbox/authy/callback';
import type { Approval } from '../../server/sandbox/authy/models';
import { randomDigits } from '../../server/sandbox/shared/codes';
import { displayPhone, maskCellphone } from '../../server/sandbox/shared/phone';
import { effectiveStatus } from '../../server/sandbox/shared/push-requests';
import { matchTotp, newTotpSecret, otpauthUrl, totpAt, totpSecondsLeft } from '../../server/sandbox/shared/totp';

const KEY = 'sandbox-unit-test-key-0123456789';

describe('sandbox phone formats', () => {
  it('masks like Authy: all but the last four digits', () => {
    expect(maskCellphone('1', '2015550123')).toBe('+1-XXX-XXX-0123');
    expect(maskCellphone('44', '7911123456')).toBe('+44-XXX-XXX-3456');
    expect(maskCellphone('351', '912345678')).toBe('+351-XXX-XX-5678');
  });

  it('shows where a code went without the whole number', () => {
    expect(displayPhone('1', '5551234567')).toBe('+1 555-…4567');
    expect(displayPhone('1', '1234567')).toBe('+1 …4567');
  });
});

describe('sandbox codes', () => {
  it('are n digits with leading zeros kept', () => {
    for (let i = 0; i < 200; i++) expect(randomDigits(7)).toMatch(/^\d{7}$/);
    expect(randomDigits(4)).toMatch(/^\d{4}$/);
  });
});

describe('sandbox TOTP (RFC 6238, SHA-1, 30 s, 6 digits, ±1 step)', () => {
  // RFC 6238 appendix B, SHA-1: secret "12345678901234567890" (base32 below), T=59 → 94287082 (8 digits).
  const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('matches the RFC test vector (last 6 of the 8 digits)', () => {
    expect(totpAt(RFC_SECRET, new Date(59_000))).toBe('287082');
    expect(totpAt(RFC_SECRET, new Date(1_111_111_109_000))).toBe('081804');
  });

  it('accepts the current, previous and next step and nothing further', () => {
    const secret = newTotpSecret();
    const now = new Date(1_700_000_015_000); // mid-step
    const step = Math.floor(now.getTime() / 30_000);
    const at = (s: number) => generateSync({ secret, epoch: s * 30 + 1 });
    expect(matchTotp(secret, at(step), now, 0)).toBe(step);
    expect(matchTotp(secret, at(step - 1), now, 0)).toBe(step - 1);
    expect(matchTotp(secret, at(step + 1), now, 0)).toBe(step + 1);
    // Tokens of other steps are refused, unless (1 in 10^6) they collide with one of the window.
    for (const far of [step - 2, step + 2]) {
      const token = at(far);
      if (![step - 1, step, step + 1].some((s) => at(s) === token)) expect(matchTotp(secret, token, now, 0)).toBeNull();
    }
  });

  it('refuses a step at or before the last one used', () => {
    const secret = newTotpSecret();
    const now = new Date(1_700_000_015_000);
    const step = Math.floor(now.getTime() / 30_000);
    const token = totpAt(secret, now);
    expect(matchTotp(secret, token, now, step)).toBeNull();
    expect(matchTotp(secret, token, now, step - 1)).toBe(step);
  });

  it('refuses malformed tokens', () => {
    const secret = newTotpSecret();
    for (const token of ['', '12345', '1234567', 'abcdef', '12345a']) expect(matchTotp(secret, token, new Date(), 0)).toBeNull();
  });

  it('builds an otpauth:// URL and counts the seconds left in the step', () => {
    const url = otpauthUrl('JBSWY3DPEHPK3PXP', 'Authy 123');
    expect(url).toMatch(/^otpauth:\/\/totp\//);
    expect(url).toContain('secret=JBSWY3DPEHPK3PXP');
    expect(totpSecondsLeft(new Date(1_700_000_010_000))).toBe(30 - (1_700_000_010 % 30));
  });
});

describe('sandbox approval expiry', () => {
  it('is computed on read', () => {
    const pendingUntil = new Date(10_000);
    expect(effectiveStatus({ status: 'pending', pendingUntil }, new Date(9_999))).toBe('pending');
    expect(effectiveStatus({ status: 'pending', pendingUntil }, new Date(10_000))).toBe('expired');
    expect(effectiveStatus({ status: 'approved', pendingUntil }, new Date(20_000))).toBe('approved');
  });
});

describe('sandbox OneTouch callback', () => {
  const approval: Approval & { status: 'approved' } = {
    id: 'a3e1c0b2-1111-4222-8333-944455556666',
    provider: 'authy',
    account: '12345678',
    scope: null,
    message: 'Request to log in to Account Security',
    details: [
      { label: 'Authy ID', value: '12345678' },
      { label: 'Username', value: 'alice smith' },
      { label: 'Location', value: 'San Francisco, CA' },
      { label: 'Reason', value: 'Demo by Account Security' },
    ],
    hiddenDetails: [{ label: 'test', value: 'This is a' }],
    status: 'approved',
    createdAt: new Date(1_700_000_000_000),
    updatedAt: new Date(1_700_000_010_000),
    decidedAt: new Date(1_700_000_010_000),
    pendingUntil: new Date(1_700_000_120_000),
    expiresAt: new Date(1_700_086_520_000),
    extra: { secondsToExpire: 120 },
  };
  const callbackUrl = 'https://app.example.com:8443/api/accountsecurity/onetouch/callback';

  it("passes authy-client's verifyCallback and the app's signature check", async () => {
    const { body, headers } = buildCallback({
      apiKey: KEY,
      callbackUrl,
      approval,
      deviceUuid: 'd1d2d3d4-0000-4000-8000-000000000001',
      customerUuid: 'c1c2c3c4-0000-4000-8000-000000000002',
      now: new Date(1_700_000_010_000),
    });
    // What the app receives after JSON parsing.
    const received = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    expect(received).toMatchObject({
      authy_id: 12345678,
      callback_action: 'approval_request_status',
      device_uuid: 'd1d2d3d4-0000-4000-8000-000000000001',
      status: 'approved',
      uuid: approval.id,
      approval_request: {
        expiration_timestamp: 1_700_000_120,
        transaction: {
          status: 'approved',
          uuid: approval.id,
          details: { Username: 'alice smith' },
          hidden_details: { test: 'This is a' },
        },
      },
    });
    expect(typeof received.signature).toBe('string');

    const client = new Client({ key: KEY });
    await expect(
      client.verifyCallback({
        body: received,
        headers: {
          host: 'app.example.com:8443',
          'x-authy-signature': headers['X-Authy-Signature'],
          'x-authy-signature-nonce': headers['X-Authy-Signature-Nonce'],
        },
        method: 'POST',
        protocol: 'https',
        url: '/api/accountsecurity/onetouch/callback',
      }),
    ).resolves.toBeDefined();
    expect(
      isValidSignature(
        KEY,
        { nonce: headers['X-Authy-Signature-Nonce'], method: 'POST', url: callbackUrl, body: received },
        headers['X-Authy-Signature'],
      ),
    ).toBe(true);
  });

  it('fails verifyCallback with another key or a changed body', async () => {
    const { body, headers } = buildCallback({ apiKey: KEY, callbackUrl, approval, deviceUuid: 'd', customerUuid: 'c', now: new Date() });
    const request = (b: unknown, key: string) =>
      new Client({ key }).verifyCallback({
        body: b,
        headers: {
          host: 'app.example.com:8443',
          'x-authy-signature': headers['X-Authy-Signature'],
          'x-authy-signature-nonce': headers['X-Authy-Signature-Nonce'],
        },
        method: 'POST',
        protocol: 'https',
        url: '/api/accountsecurity/onetouch/callback',
      });
    await expect(request(body, 'another-key-0123456789abcdef')).rejects.toThrow();
    await expect(request({ ...body, status: 'denied' }, KEY)).rejects.toThrow();
  });

  it('uses a fresh nonce each time and signs the URL without its query', () => {
    const now = new Date(1_700_000_000_000);
    expect(newNonce(now)).toMatch(/^1700000000\.\d{9}$/);
    expect(newNonce(now)).not.toBe(newNonce(now));
    expect(signedUrl('http://h/cb?x=1#y')).toBe('http://h/cb');
  });
});
