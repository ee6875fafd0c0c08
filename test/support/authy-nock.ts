// Authy's answers as documented (the subset in docs/architecture.md), for nock. Only the Authy host is faked.
import nock from 'nock';
import { AUTHY_URL, TEST_API_KEY } from './app';

export function authyScope() {
  return nock(AUTHY_URL, { reqheaders: { 'x-authy-api-key': TEST_API_KEY } });
}

export const authyError = (message: string, errorCode: string) => ({
  success: false,
  message,
  errors: { message },
  error_code: errorCode,
});

export const replies = {
  userCreated: (id: number) => ({ success: true, message: 'User created successfully.', user: { id } }),
  smsSent: { success: true, message: 'SMS token was sent', cellphone: '+1-XXX-XXX-1234', device: null, ignored: false },
  callStarted: { success: true, message: 'Call started...', cellphone: '+1-XXX-XXX-1234', device: null, ignored: false },
  tokenValid: { success: true, message: 'Token is valid.', token: 'is valid' },
  tokenInvalid: { ...authyError('Token is invalid', '60020'), token: 'is invalid' },
  approvalCreated: (uuid: string) => ({ success: true, approval_request: { uuid } }),
  approvalStatus: (uuid: string, status: string) => ({ success: true, approval_request: { uuid, status } }),
  verificationStarted: {
    success: true,
    message: 'Text message sent to +1 555-555-1234.',
    carrier: 'T-Mobile',
    is_cellphone: true,
    is_ported: false,
  },
  verificationCorrect: { success: true, message: 'Verification code is correct.' },
  verificationWrong: authyError('Verification code is incorrect', '60022'),
  invalidKey: authyError('Invalid API key', '60001'),
};
