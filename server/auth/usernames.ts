// The usernames behind the 2FA APIs' ids of users and behind phone numbers, for the sandbox's
// page (sandbox/shared/people.ts): one query for a page's worth of rows. Each provider's record
// says where it keeps its id (PROVIDER_RECORDS). A number that several accounts share names the newest.
import { trusted } from 'mongoose';
import type { ProviderName } from '../platform/config';
import { PROVIDER_RECORDS, type ProviderRecords, type UserModel } from './user.model';

type ByProvider<T> = { [P in ProviderName]?: T };

export interface UsernameQuery {
  accounts: ByProvider<readonly string[]>;
  phones: readonly string[];
}

const providers = Object.keys(PROVIDER_RECORDS) as ProviderName[];

export function usernameFinder(users: UserModel) {
  return async (q: UsernameQuery) => {
    const accounts: ByProvider<Map<string, string>> = {};
    const phones = new Map<string, string>();
    const asked = providers.filter((p) => q.accounts[p]?.length);
    const or = [
      ...asked.map((p) => ({ [PROVIDER_RECORDS[p].accountPath]: trusted({ $in: [...(q.accounts[p] ?? [])] }) })),
      ...(q.phones.length ? [{ phone: trusted({ $in: [...q.phones] }) }] : []),
    ];
    if (or.length === 0) return { accounts, phones };
    // Only the ids: never a provider's secrets (Verify's factor seed).
    const projection = Object.fromEntries(['username', 'phone', ...asked.map((p) => PROVIDER_RECORDS[p].accountPath)].map((f) => [f, 1]));
    const found = await users
      .find(trusted({ $or: or }), projection)
      .sort({ createdAt: 1 })
      .limit(500)
      .lean<(ProviderRecords & { username: string; phone?: string })[]>();
    for (const u of found) {
      for (const p of asked) {
        const id = PROVIDER_RECORDS[p].accountOf(u);
        if (id) (accounts[p] ??= new Map()).set(id, u.username);
      }
      if (u.phone) phones.set(u.phone, u.username);
    }
    return { accounts, phones };
  };
}
