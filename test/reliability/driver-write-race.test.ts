// The database closes a connection just as a command is being sent: the operation must fail at
// once with a network error (the app answers 503), not wait for ever on a destroyed socket.
// The close is made deterministic by destroying the socket the moment the driver announces the
// command, before it encodes and writes it: the race a database dying under load hits by chance.
import { isDatabaseUnavailable } from '../../server/db/availability';
import { openTestDatabase, type TestDatabase } from '../support/db';

interface PooledConnection {
  socket: { destroy(): void };
}
interface DriverInternals {
  topology: { s: { servers: Map<string, { pool: { checkedOutConnections: Set<PooledConnection> } }> } };
}

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase({ monitorCommands: true });
  await db.connection.collection('things').insertOne({ n: 1 });
});
afterAll(() => db.close());

/** Closes the socket of the connection that is sending the next `commandName`. */
function resetOnNext(commandName: string): void {
  const client = db.connection.getClient();
  const internals = client as unknown as DriverInternals;
  client.on('commandStarted', function reset(event) {
    if (event.commandName !== commandName) return;
    client.off('commandStarted', reset);
    for (const server of internals.topology.s.servers.values()) {
      for (const conn of server.pool.checkedOutConnections) {
        // As when the database's process dies: the socket ends and closes, with no 'error' event.
        conn.socket.destroy();
      }
    }
  });
}

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

test('a connection closed between the command check and its write fails the operation instead of hanging', async () => {
  resetOnNext('find');
  const outcome = await within(
    3000,
    db.connection
      .collection('things')
      .findOne({ n: 1 })
      .then(
        () => 'answered',
        (err: unknown) => err,
      ),
  );
  expect(outcome).toBeInstanceOf(Error);
  expect(isDatabaseUnavailable(outcome)).toBe(true);

  // The pool recovers: the next operation gets a new connection.
  await expect(db.connection.collection('things').findOne({ n: 1 })).resolves.toMatchObject({ n: 1 });
});
