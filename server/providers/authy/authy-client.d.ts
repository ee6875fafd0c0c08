// The part of authy-client (which ships no types) that the app uses.
declare module 'authy-client' {
  interface SendResponse {
    success: boolean;
    message: string;
    cellphone: string;
    device?: string | null;
    ignored?: boolean;
  }
  interface CallbackRequest {
    body: unknown;
    headers: Record<string, string | undefined>;
    method: string;
    protocol: string;
    url: string;
  }
  export class Client {
    constructor(auth: { key: string }, options?: { host?: string; timeout?: number });
    registerUser(user: {
      countryCode: string;
      email: string;
      phone: string;
    }): Promise<{ success: boolean; message: string; user: { id: number | string } }>;
    requestSms(user: { authyId: string }, options?: { force?: boolean }): Promise<SendResponse>;
    requestCall(user: { authyId: string }, options?: { force?: boolean }): Promise<SendResponse>;
    verifyToken(
      args: { authyId: string; token: string },
      options?: { force?: boolean },
    ): Promise<{ success: boolean; message: string; token: string }>;
    createApprovalRequest(
      request: { authyId: string; message: string; details?: { visible?: Record<string, string>; hidden?: Record<string, string> } },
      options?: { ttl?: number },
    ): Promise<{ success: boolean; approval_request: { uuid: string } }>;
    getApprovalRequest(args: {
      id: string;
    }): Promise<{ success: boolean; approval_request: Record<string, unknown> & { status: string; uuid: string } }>;
    startPhoneVerification(
      args: { countryCode: string; phone: string; via: 'sms' | 'call' },
      options?: { codeLength?: number; locale?: string },
    ): Promise<{ success: boolean; message: string }>;
    verifyPhone(args: { countryCode: string; phone: string; token: string }): Promise<{ success: boolean; message: string }>;
    verifyCallback(request: CallbackRequest): Promise<CallbackRequest>;
  }
}
