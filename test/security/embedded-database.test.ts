// The embedded database (what `npm start` runs without MONGODB_URI) must not be open to other
// users of the machine. The attack: find what the database process listens on and connect to it
// without the app's credentials, as any local user could, then read the users' password hashes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import type { StartedDatabase } from '../../server/embedded-db/resolve';
import { startEmbeddedDatabase } from '../../server/embedded-db/resolve';
import { locateFerretDB, startFerretDB } from '../../server/embedded-db/ferretdb';
import { childPids, listeningTcpPorts, unixSocketPath } from '../support/processes';

const NOBODY = 65534;

let dataDir: string;
let database: StartedDatabase;
let connection: Connection;
/** The processes the embedded database runs as (children of this process started by it). */
let databasePids: number[];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'asq-embedded-'));
  const before = new Set(childPids());
  // As `npm start` runs it: persistent data in the data directory, not throw-away.
  database = await startEmbeddedDatabase({ dataDir, ephemeral: false });
  databasePids = childPids().filter((pid) => !before.has(pid));
  ({ connection } = await connectDatabase(database.uri, { dbName: 'account_security' }));
  await connection.collection('users').insertOne({ username: 'victim', hashed_password: 'scrypt-hash-of-the-victim' });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await database?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A plain connection (no credentials) that tries to read the users; the outcome in a word. */
async function readUsersWithoutCredentials(uri: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2000, directConnection: true });
  try {
    const found = await client.db('account_security').collection('users').find().toArray();
    return found.some((u) => u.username === 'victim') ? 'read the users' : 'connected, saw no users';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    await client.close().catch(() => {});
  }
}

test('no TCP port of the embedded database gives the users to a connection without credentials', async () => {
  expect(databasePids.length).toBeGreaterThan(0);
  const ports = databasePids.flatMap((pid) => listeningTcpPorts(pid));
  for (const { host, port } of ports) {
    const outcome = await readUsersWithoutCredentials(`mongodb://${host}:${port}/`);
    expect(`${host}:${port} ${outcome}`).toMatch(new RegExp(`^${host}:${port} refused`));
  }
});

test("another local user cannot open the embedded database's unix socket", async () => {
  const socket = unixSocketPath(database.uri);
  if (!socket) return; // a TCP address: covered by the test above (it needs credentials)
  // Whatever the file's own bits, a directory only its owner may enter keeps others out.
  const dir = await stat(path.dirname(socket));
  expect(dir.uid).toBe(process.getuid!());
  expect((dir.mode & 0o077).toString(8)).toBe('0');

  if (process.getuid!() !== 0) return; // only root can act as another user
  const script = `require('node:net').connect(${JSON.stringify(socket)})
    .on('connect', () => { console.log('connected'); process.exit(0); })
    .on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const outcome = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
  expect(outcome).toBe('EACCES');
});

test('FerretDB in a data directory too deep for a socket path gets a private socket directory, removed on stop', async () => {
  const deep = path.join(dataDir, 'a-data-directory-whose-path-is-longer-than-a-unix-socket-path-may-be', 'and-deeper-still');
  await mkdir(deep, { recursive: true });
  const ferret = await startFerretDB(await locateFerretDB(process.env), { dataDir: deep, ephemeral: false });
  try {
    const socket = unixSocketPath(ferret.uri)!;
    expect(Buffer.byteLength(socket)).toBeLessThan(108);
    expect(socket.startsWith(os.tmpdir())).toBe(true);
    expect(((await stat(path.dirname(socket))).mode & 0o077).toString(8)).toBe('0');
    const { connection: c } = await connectDatabase(ferret.uri, { dbName: 'deep' });
    await c.collection('probe').insertOne({ ok: 1 });
    await c.close();
  } finally {
    await ferret.stop();
  }
  expect(existsSync(path.dirname(unixSocketPath(ferret.uri)!))).toBe(false);
  expect(existsSync(path.join(deep, 'ferretdb', 'sqlite'))).toBe(true); // the data stays where it was asked to be
});
