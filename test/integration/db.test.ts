import { sweepExpired } from '../../server/db/expiry';
import { openTestDatabase, type TestDatabase } from '../support/db';

describe('test database', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('is reachable with a database of its own', async () => {
    const ping = await db.connection.db!.admin().command({ ping: 1 });
    expect(ping.ok).toBe(1);
    expect(db.dbName).toMatch(/^t_\w+$/);
    expect(db.connection.db!.databaseName).toBe(db.dbName);
  });

  it('detects FerretDB, whatever server globalSetup gave: exactly when TTL indexes are refused', async () => {
    const kind = process.env.TEST_DB_KIND;
    expect(['external', 'mongodb-memory-server', 'ferretdb']).toContain(kind);
    if (kind === 'ferretdb') expect(db.isFerretDB).toBe(true);
    if (kind === 'mongodb-memory-server') expect(db.isFerretDB).toBe(false);
    // What the detection is for: FerretDB v1 has no TTL indexes, MongoDB has them.
    const ttl = await db.connection
      .db!.collection('ttl_probe')
      .createIndex({ at: 1 }, { expireAfterSeconds: 60 })
      .then(
        () => 'created',
        () => 'refused',
      );
    expect(ttl).toBe(db.isFerretDB ? 'refused' : 'created');
  });

  it('sweepExpired deletes only the documents whose expiry has passed', async () => {
    const now = Date.now();
    const sessions = db.connection.db!.collection('sweep_sessions');
    const attempts = db.connection.db!.collection('sweep_attempts');
    await sessions.insertMany([
      { _id: 'old' as never, expires: new Date(now - 60_000) },
      { _id: 'new' as never, expires: new Date(now + 60_000) },
      { _id: 'none' as never },
    ]);
    await attempts.insertMany([
      { key: 'a', resetAt: new Date(now - 1) },
      { key: 'b', resetAt: new Date(now + 3_600_000) },
    ]);

    const deleted = await sweepExpired(db.connection, [
      { collection: 'sweep_sessions', field: 'expires' },
      { collection: 'sweep_attempts', field: 'resetAt' },
    ]);

    expect(deleted).toBe(2);
    expect((await sessions.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['new', 'none']);
    expect((await attempts.find().toArray()).map((d) => d.key)).toEqual(['b']);
  });
});
