import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { hashPassword, legacySha256, OWASP_SCRYPT, PasswordHasher, verifyPassword, wrapLegacyHash } from '../../server/auth/password';
import type { HttpError } from '../../server/http/errors';

const cheap = { N: 1024, r: 8, p: 1 };

test('the production hash is scrypt N=2^17, r=8, p=1 with a 16-byte salt', async () => {
  const stored = await hashPassword('hunter22', OWASP_SCRYPT);
  const [scheme, N, r, p, salt, key] = stored.split('$');
  expect([scheme, Number(N), Number(r), Number(p)]).toEqual(['scrypt', 2 ** 17, 8, 1]);
  expect(Buffer.from(salt, 'base64')).toHaveLength(16);
  expect(Buffer.from(key, 'base64')).toHaveLength(32);
  expect(await verifyPassword('hunter22', stored)).toEqual({ ok: true, needsRehash: false });
});

test('each hash has its own salt', async () => {
  const a = await hashPassword('same password', cheap);
  const b = await hashPassword('same password', cheap);
  expect(a).not.toBe(b);
  expect((await verifyPassword('same password', a, cheap)).ok).toBe(true);
  expect((await verifyPassword('same password', b, cheap)).ok).toBe(true);
});

test('a wrong password does not verify', async () => {
  const stored = await hashPassword('right one', cheap);
  expect(await verifyPassword('wrong one', stored, cheap)).toEqual({ ok: false, needsRehash: false });
  expect(await verifyPassword('right one ', stored, cheap)).toEqual({ ok: false, needsRehash: false });
});

test("the original's unsalted SHA-256 is accepted and flagged for replacement", async () => {
  const legacy = createHash('sha256').update('old secret').digest('base64');
  expect(legacySha256('old secret')).toBe(legacy);
  expect(await verifyPassword('old secret', legacy, cheap)).toEqual({ ok: true, needsRehash: true });
  expect(await verifyPassword('other', legacy, cheap)).toEqual({ ok: false, needsRehash: false });
});

test('a legacy hash wrapped in scrypt (upgrade-legacy-hashes) checks the same password, salted, and is flagged for replacement', async () => {
  const legacy = legacySha256('old secret');
  const wrapped = await wrapLegacyHash(legacy, cheap);
  expect(wrapped).toMatch(/^scrypt-sha256\$1024\$8\$1\$/);
  expect(wrapped).not.toContain(legacy);
  expect(await wrapLegacyHash(legacy, cheap)).not.toBe(wrapped);
  expect(await verifyPassword('old secret', wrapped, cheap)).toEqual({ ok: true, needsRehash: true });
  expect(await verifyPassword('other', wrapped, cheap)).toEqual({ ok: false, needsRehash: false });
  // The digest itself is not the password.
  expect((await verifyPassword(legacy, wrapped, cheap)).ok).toBe(false);
  await expect(wrapLegacyHash('not a digest', cheap)).rejects.toThrow();
});

test('a hash weaker than the current parameters is flagged for replacement', async () => {
  const weak = await hashPassword('pw-12345', { N: 512, r: 8, p: 1 });
  expect(await verifyPassword('pw-12345', weak, cheap)).toEqual({ ok: true, needsRehash: true });
});

test('a stored value in no known format never verifies', async () => {
  for (const stored of ['', 'plain-text-password', 'scrypt$1$2$3', '$$$$$']) {
    expect((await verifyPassword('plain-text-password', stored, cheap)).ok).toBe(false);
  }
});

describe('PasswordHasher: a bounded queue', () => {
  test('a hash that would end past the queue budget is refused at once with 503 and Retry-After; no answered hash waits past the budget', async () => {
    const budgetMs = 150;
    const hasher = new PasswordHasher({ N: 2 ** 14, r: 8, p: 1 }, budgetMs, 1);
    await hasher.calibrated;
    // Other work takes the CPU as the burst arrives (as on a busy server): hashes now run slower
    // than the estimate made while idle.
    const contention = Promise.all(Array.from({ length: 4 }, () => hashPassword('other-work', { N: 2 ** 15, r: 8, p: 1 })));
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        hasher.hash('burst-password').then(
          () => ({ ok: true, after: performance.now() - started }),
          (err: HttpError) => ({ ok: false, after: performance.now() - started, status: err.status, retry: err.headers['Retry-After'] }),
        ),
      ),
    );
    await contention;
    const refused = outcomes.filter((o) => !o.ok);
    const done = outcomes.filter((o) => o.ok);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r).toMatchObject({ status: 503, retry: expect.stringMatching(/^\d+$/) });
    // Most refusals do not wait for the hashes in front of them.
    const firstDone = Math.min(...done.map((d) => d.after));
    expect(refused.filter((r) => r.after < firstDone).length).toBeGreaterThan(20);
    // A refusal after that is one whose hash, at its turn, would have ended past the budget
    // (hashing ran slower than estimated): it comes at most one hash before the budget. So no
    // answered hash waited longer than the budget for its turn: one hash at a time, each started
    // when the one before ended.
    const ends = done.map((d) => d.after).sort((a, b) => a - b);
    const longestHash = Math.max(firstDone, ...ends.slice(1).map((end, i) => end - ends[i]));
    for (const r of refused.filter((x) => x.after >= firstDone)) expect(r.after + longestHash).toBeGreaterThanOrEqual(budgetMs);
    const starts = done
      .map((d) => d.after)
      .sort((a, b) => a - b)
      .slice(0, -1);
    expect(Math.max(0, ...starts)).toBeLessThanOrEqual(budgetMs + 50);
  });

  test('burn() takes the time of a real check and never verifies', async () => {
    const hasher = new PasswordHasher(cheap, 5000, 1);
    await expect(hasher.burn('anything')).resolves.toBeUndefined();
    const stored = await hasher.hash('pw-1234567');
    expect(await hasher.verify('pw-1234567', stored)).toEqual({ ok: true, needsRehash: false });
  });
});
