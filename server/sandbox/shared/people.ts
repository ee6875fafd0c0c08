// Whose phone a row of "the phone" is: the app's username for a user id of either API (an Authy
// id, a Verify identity) or for a phone number. The sandbox plays the providers, which do not
// know usernames; the app does, and hands the sandbox this lookup (start/compose.ts), so the page
// can name the person on each row.
import type { ProviderName } from '../../platform/config';

export type ByProvider<T> = { readonly [P in ProviderName]?: T };

export interface PeopleQuery {
  /** Each API's ids of users. */
  accounts: ByProvider<readonly string[]>;
  /** E.164 numbers. */
  phones: readonly string[];
}

export interface PeopleFound {
  accounts: ByProvider<ReadonlyMap<string, string>>;
  phones: ReadonlyMap<string, string>;
}

export type FindPeople = (query: PeopleQuery) => Promise<PeopleFound>;

export const NOBODY: PeopleFound = { accounts: {}, phones: new Map() };
