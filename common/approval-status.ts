// A push approval request's status, as the server reports it and the SPA reads it.
export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;

export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Any status but pending: the request was answered, or its time ran out. */
export type FinalApprovalStatus = Exclude<ApprovalStatus, 'pending'>;

export const isApprovalStatus = (value: unknown): value is ApprovalStatus =>
  typeof value === 'string' && (APPROVAL_STATUSES as readonly string[]).includes(value);
