// The usernames behind provider ids and phone numbers, for the sandbox's page (sandbox/people.ts):
// one query for a page's worth of rows. A number that several accounts share names the newest.
import { trusted } from 'mongoose';
import type { UserModel } from './user.model';

export interface UsernameQuery {
  authyIds: readonly string[];
  identities: readonly string[];
  phones: readonly string[];
}

export function usernameFinder(users: UserModel) {
  return async (q: UsernameQuery) => {
    const byAuthyId = new Map<string, string>();
    const byIdentity = new Map<string, string>();
    const byPhone = new Map<string, string>();
    const or = [
      ...(q.authyIds.length ? [{ authyId: trusted({ $in: [...q.authyIds] }) }] : []),
      ...(q.identities.length ? [{ 'verify.identity': trusted({ $in: [...q.identities] }) }] : []),
      ...(q.phones.length ? [{ phone: trusted({ $in: [...q.phones] }) }] : []),
    ];
    if (or.length === 0) return { byAuthyId, byIdentity, byPhone };
    const found = await users
      // Only the ids: never the Verify factor's seed.
      .find(trusted({ $or: or }), { username: 1, authyId: 1, 'verify.identity': 1, phone: 1 })
      .sort({ createdAt: 1 })
      .limit(500)
      .lean<{ username: string; authyId?: string; verify?: { identity?: string }; phone?: string }[]>();
    for (const u of found) {
      if (u.authyId) byAuthyId.set(u.authyId, u.username);
      if (u.verify?.identity) byIdentity.set(u.verify.identity, u.username);
      if (u.phone) byPhone.set(u.phone, u.username);
    }
    return { byAuthyId, byIdentity, byPhone };
  };
}
