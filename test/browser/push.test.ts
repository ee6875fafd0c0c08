// Push Auth in real Chromium: the SPA polls every 5 s, 12 times; Playwright's clock drives the
// page's timers, and "the phone" (/sandbox, in another context with a real clock) answers. The
// app's clock runs ahead when a test says so, so a push request's 60 s can pass on the server too.
import {
  authyIdOf,
  errorShown,
  httpSettled,
  logIn,
  newUser,
  pathOf,
  pendingApproval,
  reachProtected,
  registerUser,
  statusShown,
  useBrowser,
  waitFor,
  type TestUser,
} from '../support/browser';

/** How far the app's clock runs ahead of the real one. */
let ahead = 0;
const h = useBrowser({ now: () => Date.now() + ahead });
const user = () => newUser('push', 2650);
afterEach(() => (ahead = 0));

describe('Push Auth', () => {
  /** Logs in with a fake clock, pauses it, and presses Push Auth. Returns a poll driver. */
  async function startPush(u: TestUser) {
    const { page, app } = h;
    await registerUser(app, u);
    const authyId = await authyIdOf(app, u.username);
    let statusPolls = 0;
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/accountsecurity/onetouchstatus') statusPolls++;
    });
    await page.clock.install();
    await logIn(page, u);
    // From here on no timer fires unless the test moves the clock.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);

    await page.click('#push');
    expect(await statusShown(page)).toContain('Request sent');
    await page.locator('#push-waiting').waitFor({ state: 'visible' });
    expect(await page.textContent('#push-waiting')).toMatch(/Waiting for approval… 60 s left/);

    /** Moves the page clock 5 s: exactly one status poll, whose answer the SPA has handled. */
    const nextPoll = async () => {
      const before = statusPolls;
      await page.clock.runFor(5000);
      await waitFor(`status poll #${before + 1}`, () => statusPolls === before + 1);
      await httpSettled(page);
      return statusPolls;
    };
    return { authyId, nextPoll, polls: () => statusPolls };
  }

  /** Opens /sandbox ("the phone") in another context (own clock) and answers the request. */
  async function answerOnSandbox(uuid: string, action: 'approve' | 'deny', screenshot?: string) {
    const phone = await h.newPage(await h.newContext());
    await phone.goto('/sandbox');
    const button = phone.locator(`#${action}-${uuid}`);
    await button.waitFor({ state: 'visible' });
    if (screenshot) await h.screenshot(screenshot, phone);
    await button.click();
    await waitFor(`the sandbox to record "${action}"`, async () => {
      const list = (await (await fetch(`${h.app.baseUrl}/sandbox/approvals.json`)).json()) as { uuid: string; status: string }[];
      return list.find((a) => a.uuid === uuid)?.status === (action === 'approve' ? 'approved' : 'denied');
    });
    await phone.close();
  }

  test('approved on /sandbox → the SPA goes to /protected on its next poll', async () => {
    const { page, app } = h;
    const u = user();
    const push = await startPush(u);
    await push.nextPoll();
    expect(pathOf(page)).toBe('/2fa');
    expect(await page.textContent('#push-seconds')).toBe('55');
    await h.screenshot('push-waiting');

    const approval = await pendingApproval(app, push.authyId);
    await answerOnSandbox(approval.uuid, 'approve', 'sandbox-phone');
    expect(pathOf(page)).toBe('/2fa'); // not before the next poll
    await push.nextPoll();
    await reachProtected(page, u.username);
    expect(push.polls()).toBe(2);
  });

  test('a slow poll holds the next; approved meanwhile, its answer passes with no request refused', async () => {
    const { page, app } = h;
    const u = user();
    const push = await startPush(u);
    // The first poll is held in the browser; two more 5 s marks pass while it is out.
    let release: (() => Promise<void>) | undefined;
    await page.route('**/api/accountsecurity/onetouchstatus', (route) =>
      release ? route.continue() : void (release = () => route.continue()),
    );
    await page.clock.runFor(5000);
    await waitFor('the first status poll', () => release !== undefined);
    await answerOnSandbox((await pendingApproval(app, push.authyId)).uuid, 'approve');
    await page.clock.runFor(10_000);
    // A second poll sent now would carry the session id the approval is about to replace; its
    // refusal's anonymous XSRF token would then overwrite the new one (useBrowser fails on the 4xx).
    await release!();
    await reachProtected(page, u.username);
    expect(push.polls()).toBe(1);
  });

  test('denied on /sandbox → the SPA says so, and Push Auth sends another', async () => {
    const { page, app } = h;
    const push = await startPush(user());
    const approval = await pendingApproval(app, push.authyId);
    await answerOnSandbox(approval.uuid, 'deny');
    await push.nextPoll();
    expect(await errorShown(page)).toBe('The request was denied on your phone. Press Approve on your phone to send a new one.');
    expect(await page.locator('#push-waiting').count()).toBe(0);
    expect(await page.isEnabled('#push')).toBe(true);
    expect(pathOf(page)).toBe('/2fa');
  });

  test('no answer → after 60 s the request expires on the server and on the phone; Push Auth is the one way to retry', async () => {
    const { page, app } = h;
    const u = user();
    const push = await startPush(u);
    const first = await pendingApproval(app, push.authyId);
    for (let i = 1; i <= 11; i++) await push.nextPoll();
    expect(await page.locator('#push-waiting').isVisible()).toBe(true);
    expect(await page.textContent('#push-seconds')).toBe('5');
    expect(await page.locator('main p.message.error').count()).toBe(0);

    // The 60 s pass on the server too: the 12th poll learns that the request expired.
    ahead = 60_000;
    expect(await push.nextPoll()).toBe(12);
    expect(await errorShown(page)).toBe('No answer within 60 s: the request expired. Press Approve on your phone to send a new one.');
    expect(await page.locator('#push-waiting').count()).toBe(0);
    await h.screenshot('push-timed-out');
    // No 13th poll, and one way to try again: Push Auth, enabled.
    await page.clock.runFor(30_000);
    await httpSettled(page);
    expect(push.polls()).toBe(12);
    expect(await page.locator('main button', { hasText: /try again/i }).count()).toBe(0);
    expect(await page.isEnabled('#push')).toBe(true);

    // The phone shows it expired, with nothing left to approve.
    const phone = await h.newPage(await h.newContext());
    await phone.goto('/sandbox');
    await phone.locator(`#approval-${first.uuid} .cell-status`).filter({ hasText: 'expired' }).waitFor();
    expect(await phone.locator(`#approve-${first.uuid}`).count()).toBe(0);
    await phone.close();

    // Push Auth sends a new request and waits afresh; approving it passes.
    await page.click('#push');
    await page.locator('#push-waiting').waitFor({ state: 'visible' });
    expect(await page.textContent('#push-seconds')).toBe('60');
    const second = await waitFor('a second push request', async () => {
      const a = await pendingApproval(app, push.authyId);
      return a.uuid !== first.uuid ? a : undefined;
    });
    await answerOnSandbox(second.uuid, 'approve');
    await push.nextPoll();
    await reachProtected(page, u.username);
  });
});
