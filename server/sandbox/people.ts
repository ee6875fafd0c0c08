// Whose phone a row of "the phone" is: the app's username for an Authy id, a Verify identity or
// a phone number. The sandbox plays the providers, which do not know usernames; the app does,
// and hands the sandbox this lookup (compose.ts), so the page can name the person on each row.

export interface PeopleQuery {
  authyIds: readonly string[];
  identities: readonly string[];
  /** E.164 numbers. */
  phones: readonly string[];
}

export interface PeopleFound {
  byAuthyId: ReadonlyMap<string, string>;
  byIdentity: ReadonlyMap<string, string>;
  byPhone: ReadonlyMap<string, string>;
}

export type FindPeople = (query: PeopleQuery) => Promise<PeopleFound>;

export const NOBODY: PeopleFound = { byAuthyId: new Map(), byIdentity: new Map(), byPhone: new Map() };
