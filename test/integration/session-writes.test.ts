// Read-only authenticated requests cost at most one database read (the session) and never
// write the session back (resave:false; its expiry moves on at most once a minute). Counted with the driver's
// command monitoring, so the figure is exact, not sampled as in the bench.
import { countCommands, type CommandCounter, type CountedCommand } from '../support/command-counts';
import { SESSIONS_COLLECTION } from '../../server/http/session';
import { useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, type Client } from '../support/http';
import { registeredAgent, validPerson } from '../support/users';

const t = useTestApp({}, { monitorCommands: true });
let commands: CommandCounter;
beforeAll(() => {
  commands = countCommands(t.db.connection.getClient());
});
afterAll(() => commands.stop());

/** The commands one request sends, all of them started before its response ends. */
async function commandsOf(send: () => PromiseLike<unknown>): Promise<CountedCommand[]> {
  commands.reset();
  await send();
  await new Promise((resolve) => setImmediate(resolve));
  return commands.log();
}

const sessionWrites = (log: CountedCommand[]) => log.filter((c) => c.kind === 'write' && c.collection === SESSIONS_COLLECTION);
const reads = (log: CountedCommand[]) => log.filter((c) => c.kind === 'read');

function expectReadOnly(log: CountedCommand[]) {
  // On failure the whole list shows which command went to which collection.
  expect({ sessionWrites: sessionWrites(log), readsAtMostOne: reads(log).length <= 1, log }).toEqual({
    sessionWrites: [],
    readsAtMostOne: true,
    log,
  });
}

/** Registered, then 2FA passed with a token: the session as the protected page has it. */
async function twoFactorAgent(username: string, authyId: number): Promise<Client> {
  const { agent } = await registeredAgent(t.app, username, authyId);
  authyScope().get(`/protected/json/verify/1234567/${authyId}`).reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
  return agent;
}

test('the counter sees the commands (passing 2FA writes the session)', async () => {
  const { agent } = await registeredAgent(t.app, 'counted', 7000);
  authyScope().get('/protected/json/verify/1234567/7000').reply(200, replies.tokenValid);
  const log = await commandsOf(() => agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200));
  expect(sessionWrites(log).length).toBeGreaterThan(0);
});

test("the bench's count without command monitoring (via the driver) sees the same commands", async () => {
  const viaDriver = countCommands(t.db.connection.getClient(), { via: 'driver' });
  try {
    const log = await commandsOf(() => registeredAgent(t.app, 'counted-twice', 7009));
    expect(log.length).toBeGreaterThan(2);
    expect(viaDriver.log()).toEqual(log);
  } finally {
    viaDriver.stop();
  }
});

test("a visitor's login writes its new session once and deletes nothing (no session of theirs was stored)", async () => {
  await registeredAgent(t.app, 'visitor-login', 7010);
  const visitor = client(t.app);
  const log = await commandsOf(() =>
    visitor
      .post('/api/login')
      .send({ username: 'visitor-login', password: validPerson('visitor-login').body.password })
      .expect(200),
  );
  expect(sessionWrites(log).map((c) => c.name)).toEqual(['update']);
});

describe('after 2FA', () => {
  let agent: Client;
  beforeAll(async () => {
    agent = await twoFactorAgent('reader', 7001);
  });

  test('POST /api/loggedIn: no session write, one read at most', async () => {
    for (let i = 0; i < 3; i++) {
      let body: unknown;
      const log = await commandsOf(async () => ({ body } = await agent.post('/api/loggedIn').expect(200)));
      expect(body).toMatchObject({ url: '/protected' });
      expectReadOnly(log);
    }
  });

  test('GET /api/protected: no session write, one read at most', async () => {
    for (let i = 0; i < 3; i++) {
      const log = await commandsOf(() => agent.get('/api/protected').expect(200));
      expectReadOnly(log);
    }
  });
});

describe('POST /api/accountsecurity/onetouchstatus once the status is final', () => {
  test.each([
    ['denied', 7002],
    ['approved', 7003],
  ])('%s: later polls write nothing and read one document at most', async (status, authyId) => {
    const username = `push${status}`;
    await registeredAgent(t.app, username, authyId);
    const agent = client(t.app);
    await agent
      .post('/api/login')
      .send({ username, password: validPerson(username).body.password })
      .expect(200);

    const uuid = `c0ffee00-0000-4000-8000-00000000${authyId}`;
    authyScope().post(`/onetouch/json/users/${authyId}/approval_requests`).reply(200, replies.approvalCreated(uuid));
    await agent.post('/api/accountsecurity/onetouch').expect(200);
    // The first poll learns the final status (from Authy) and keeps it in the session.
    authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(200, replies.approvalStatus(uuid, status));
    await agent.post('/api/accountsecurity/onetouchstatus').expect(200);

    for (let i = 0; i < 3; i++) {
      let body: { approval_request?: { status?: string } } = {};
      const log = await commandsOf(async () => ({ body } = await agent.post('/api/accountsecurity/onetouchstatus').expect(200)));
      expect(body.approval_request?.status).toBe(status);
      expectReadOnly(log);
    }
  });
});
