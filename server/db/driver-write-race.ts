// A fix for a race in the MongoDB driver (seen in versions 7.8 and 7.9), applied by connectDatabase.
//
// The driver checks that a connection is open, then awaits the encoding of the command, then
// writes it. When the database dies in that gap (its socket reports the reset during the await),
// the write goes to a destroyed socket: Node returns false and emits neither 'drain' nor 'error',
// and the driver waits for 'drain' for ever. The request hangs and keeps a pooled connection.
// This wrapper also ends the write when the connection closes, with the error it closed with, so
// the operation fails like any other network error (and the request answers 503).
// test/reliability/driver-write-race.test.ts performs the race.
import { MongoNetworkError } from 'mongodb';

interface DriverConnection {
  closed: boolean;
  error: Error | null;
  once(event: 'close', listener: () => void): unknown;
}
type WriteCommand = (this: DriverConnection, ...args: unknown[]) => Promise<void>;

// The driver's internal connection class: no public type, so the shape used is declared above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const internals = require('mongodb/lib/cmap/connection') as { Connection?: { prototype: { writeCommand?: WriteCommand } } };

const closedError = (conn: DriverConnection) => conn.error ?? new MongoNetworkError('connection closed while writing a command');
let applied = false;

/**
 * The writes in progress on a connection, ended by the one 'close' listener each connection
 * gets, rather than by a listener added and removed (and a Promise.race) per command.
 */
const pendingWrites = new WeakMap<DriverConnection, Set<(err: Error) => void>>();
function pendingWritesOf(conn: DriverConnection): Set<(err: Error) => void> {
  let pending = pendingWrites.get(conn);
  if (!pending) {
    const writes = new Set<(err: Error) => void>();
    conn.once('close', () => {
      for (const reject of writes) reject(closedError(conn));
      writes.clear();
    });
    pendingWrites.set(conn, (pending = writes));
  }
  return pending;
}

/**
 * Makes a command's write end when its connection closes. Idempotent; returns false only if the
 * driver no longer has the method it wraps (its test then fails, to say the fix needs a look).
 */
export function fixDriverWriteRace(): boolean {
  const proto = internals.Connection?.prototype;
  const original = proto?.writeCommand;
  if (!proto || !original) return false;
  if (applied) return true;
  applied = true;
  proto.writeCommand = function writeCommandUntilClosed(this: DriverConnection, ...args: unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this));
    const pending = pendingWritesOf(this);
    return new Promise<void>((resolve, reject) => {
      pending.add(reject);
      original.apply(this, args).then(
        () => {
          pending.delete(reject);
          resolve();
        },
        (err: Error) => {
          pending.delete(reject);
          reject(err);
        },
      );
    });
  };
  return true;
}
