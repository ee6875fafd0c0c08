import { createLogger } from '../../server/platform/logger';
import { LogCapture } from '../support/app';

test('keys, passwords, tokens, codes, secrets, cookies and session ids are redacted', () => {
  const out = new LogCapture();
  const logger = createLogger('info', out);
  logger.info(
    {
      apiKey: 'AK-1',
      password: 'PW-2',
      token: 'TK-3',
      code: 'CD-4',
      secret: 'SC-5',
      sessionId: 'SID-6',
      user: { password: 'PW-7', key: 'AK-8' },
      req: { headers: { cookie: 'asq.sid=CK-9', 'x-authy-api-key': 'AK-10', 'x-xsrf-token': 'XS-11' } },
      res: { headers: { 'set-cookie': 'asq.sid=CK-12' } },
      username: 'ada',
    },
    'hello',
  );
  const line = out.text;
  for (const secret of ['AK-1', 'PW-2', 'TK-3', 'CD-4', 'SC-5', 'SID-6', 'PW-7', 'AK-8', 'CK-9', 'AK-10', 'XS-11', 'CK-12']) {
    expect(line).not.toContain(secret);
  }
  expect(JSON.parse(line)).toMatchObject({ username: 'ada', password: '[redacted]', msg: 'hello' });
});
