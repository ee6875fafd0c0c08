import { databaseAddress } from '../../server/db/address';
import { isDatabaseUnavailable } from '../../server/db/availability';

const named = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);

test.each([
  ['a failed server selection', named('MongoServerSelectionError')],
  ['a network error', named('MongoNetworkError')],
  ['a network timeout', named('MongoNetworkTimeoutError')],
  ["mongoose's first-connection selection error", named('MongooseServerSelectionError')],
  ["mongoose's buffering timeout", named('MongooseError', { message: 'Operation `users.findOne()` buffering timed out after 3000ms' })],
  ['a server shutting down', named('MongoServerError', { code: 91 })],
  ['a primary stepping down', named('MongoServerError', { code: 189 })],
  ['a socket error the driver did not wrap', Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' })],
  ['one found as the cause', Object.assign(new Error('session store'), { cause: named('MongoNetworkError') })],
])('the database is unavailable: %s', (_what, err) => {
  expect(isDatabaseUnavailable(err)).toBe(true);
});

test.each([
  ['a duplicate key', named('MongoServerError', { code: 11000 })],
  ['a validation error', named('ValidationError')],
  ['another mongoose error', named('MongooseError', { message: 'Cast to ObjectId failed' })],
  ['a file that is missing', Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open' })],
  ['a plain bug', new TypeError('undefined is not a function')],
  ['nothing', undefined],
])('the database is not blamed for %s', (_what, err) => {
  expect(isDatabaseUnavailable(err)).toBe(false);
});

test.each([
  ['mongodb://user:hunter2@db1.example.com:27017,db2.example.com/app?replicaSet=rs0', 'db1.example.com:27017,db2.example.com'],
  ['mongodb://user:p@ss/w@rd@db.example.com/app', 'db.example.com'],
  ['mongodb+srv://user:hunter2@cluster0.example.net/app?retryWrites=true', 'cluster0.example.net (SRV)'],
  ['mongodb://%2Ftmp%2Fasq%2Fferretdb.sock/', '/tmp/asq/ferretdb.sock'],
  ['mongodb://127.0.0.1:1', '127.0.0.1:1'],
])('databaseAddress(%s) names the hosts, never the credentials', (uri, address) => {
  expect(databaseAddress(uri)).toBe(address);
});
