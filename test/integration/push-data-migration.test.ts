// Push data of earlier versions (claims in `onetouch_claims`, a request's id in `uuid` under a
// unique index) is moved to the new names on the real test database, and keeps doing its job:
// a callback seen before stays refused, an answered request stays answered, a pending one is
// still found and can be answered once.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AUTHY_CALLBACK_PATH } from '../../server/providers/authy/authy-provider';
import { signCallback } from '../../server/providers/authy/signature';
import { migratePushData } from '../../server/twofa/push-data-migration';
import { createTestApp, PUBLIC_URL, TEST_API_KEY, type TestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { registeredAgent } from '../support/users';

let db: TestDatabase;
let t: TestApp;
const answered = randomUUID();
const pending = randomUUID();
const later = new Date(Date.now() + 10 * 60 * 1000);

beforeAll(async () => {
  db = await openTestDatabase();
  // As the previous version left them: a delivery seen, a request answered, a request waiting.
  const old = db.connection.db!;
  await old.collection('approval_requests').createIndex({ uuid: 1 }, { unique: true });
  await old.collection('approval_requests').insertMany([
    { uuid: answered, userId: 'u1', status: 'denied', expiresAt: later },
    { uuid: pending, userId: 'u2', status: 'pending', expiresAt: later },
  ]);
  await old.collection('onetouch_claims').insertMany([
    { _id: 'nonce:seen-before' as never, expiresAt: later },
    { _id: `final:${answered}` as never, expiresAt: later },
  ]);
  expect(await migratePushData(db.connection)).toEqual({ claims: 2, requests: 2 });
  t = await createTestApp({}, { db });
});

afterAll(async () => {
  await t?.close();
  await db?.close();
});

const callback = (uuid: string, status: string, nonce: string) => {
  const body = { uuid, status, authy_id: 7300, callback_action: 'approval_request_status' };
  return request(t.app)
    .post(AUTHY_CALLBACK_PATH)
    .set('X-Authy-Signature-Nonce', nonce)
    .set('X-Authy-Signature', signCallback(TEST_API_KEY, { nonce, method: 'POST', url: PUBLIC_URL + AUTHY_CALLBACK_PATH, body }))
    .send(body);
};

test('the old collection and field are gone, and a second run moves nothing', async () => {
  const names = (await db.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(names).toContain('push_claims');
  expect(names).not.toContain('onetouch_claims');
  const requests = db.connection.db!.collection('approval_requests');
  expect(await requests.countDocuments({ uuid: { $exists: true } })).toBe(0);
  // MongoDB would see every moved request as a duplicate null under the old unique index.
  expect((await requests.indexes()).map((index) => index.name)).not.toContain('uuid_1');
  expect(await migratePushData(db.connection)).toEqual({ claims: 0, requests: 0 });
});

test('a callback delivery seen before the move is still refused as a replay', async () => {
  await callback(pending, 'approved', 'seen-before').expect(409, { error: 'This callback was already received.' });
});

test('a request answered before the move stays answered; a pending one is found and answered once', async () => {
  await callback(answered, 'approved', 'after-1').expect(409, { error: 'This approval request was already answered.' });
  await callback(pending, 'approved', 'after-2').expect(200, { success: true });
  await callback(pending, 'denied', 'after-3').expect(409, { error: 'This approval request was already answered.' });
  const record = await db.connection.db!.collection('approval_requests').findOne({ pushId: pending });
  expect(record?.status).toBe('approved');
});

test('new push requests are recorded beside the moved ones (no old unique index in the way)', async () => {
  const { agent } = await registeredAgent(t.app, 'after-move', 7301);
  for (const uuid of [randomUUID(), randomUUID()]) {
    authyScope().post('/onetouch/json/users/7301/approval_requests').reply(200, replies.approvalCreated(uuid));
    await agent.post('/api/accountsecurity/onetouch').expect(200, { success: true, approval_request: { uuid } });
  }
  expect(await db.connection.db!.collection('approval_requests').countDocuments()).toBe(4);
});
