// The two whole stories a person lives, cookies carried by supertest's agent, Authy nock'ed.
import { client } from '../support/http';
import { useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';

const t = useTestApp();

const person = {
  username: 'ada',
  email: 'ada@example.com',
  password: 'correct horse battery',
  country_code: '+1',
  phone_number: '415-555-2671',
};

test('register → SMS → verify → protected → logout', async () => {
  const agent = client(t.app);
  authyScope()
    .post('/protected/json/users/new', { user: { cellphone: '4155552671', country_code: 1, email: person.email } })
    .reply(200, replies.userCreated(1001));
  await agent.post('/api/user/register').send(person).expect(200, { success: true });

  expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/2fa' });
  await agent.get('/api/protected').expect(403);
  await agent.get('/protected').expect(302).expect('Location', '/2fa');

  authyScope().get('/protected/json/sms/1001').query({ force: true }).reply(200, replies.smsSent);
  const sms = await agent.post('/api/accountsecurity/sms').expect(200);
  expect(sms.body).toEqual({ success: true, message: 'SMS token was sent', cellphone: '+1-XXX-XXX-1234' });

  authyScope().get('/protected/json/verify/1234567/1001').reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200, { success: true });

  expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/protected' });
  const content = await agent.get('/api/protected').expect(200);
  expect(content.body.username).toBe('ada');

  await agent.get('/api/logout').expect(200);
  await agent.get('/api/protected').expect(401);
  expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/login' });
});

test('login → push → status approved → protected', async () => {
  authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(1001));
  await client(t.app)
    .post('/api/user/register')
    .send({ ...person, username: 'grace', email: 'grace@example.com' })
    .expect(200);
  const agent = client(t.app);
  await agent.post('/api/login').send({ username: 'grace', password: person.password }).expect(200);

  const uuid = 'b1f1b5d0-0000-4000-8000-000000000001';
  authyScope()
    .post(
      '/onetouch/json/users/1001/approval_requests',
      (body) => body.message === 'Login requested for an Authy Demo account.' && body.seconds_to_expire === 120,
    )
    .reply(200, replies.approvalCreated(uuid));
  const created = await agent.post('/api/accountsecurity/onetouch').expect(200);
  expect(created.body).toEqual({ success: true, approval_request: { uuid } });

  authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(200, replies.approvalStatus(uuid, 'pending'));
  const pending = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
  expect(pending.body).toEqual({ success: true, approval_request: { uuid, status: 'pending' } });
  await agent.get('/api/protected').expect(403);

  authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(200, replies.approvalStatus(uuid, 'approved'));
  const approved = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
  expect(approved.body.approval_request.status).toBe('approved');
  await agent.get('/api/protected').expect(200);
  await agent.get('/protected').expect(200);
});
