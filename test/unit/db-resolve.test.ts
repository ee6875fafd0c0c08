import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath } from '../../server/db/executables';
import { chooseDatabase } from '../../server/db/resolve';

describe('chooseDatabase', () => {
  it('starts an embedded database when no URI is configured', () => {
    expect(chooseDatabase({})).toEqual({ kind: 'embedded' });
    expect(chooseDatabase({ MONGODB_URI: '', MONGO_CONNECTION: '  ' })).toEqual({ kind: 'embedded' });
  });

  it('uses MONGODB_URI', () => {
    expect(chooseDatabase({ MONGODB_URI: 'mongodb://db.example:27017/app' })).toEqual({
      kind: 'external',
      uri: 'mongodb://db.example:27017/app',
    });
  });

  it('accepts mongodb+srv:// and trims the value', () => {
    expect(chooseDatabase({ MONGODB_URI: ' mongodb+srv://u:p@cluster0.example.net/app?retryWrites=true \n' })).toEqual({
      kind: 'external',
      uri: 'mongodb+srv://u:p@cluster0.example.net/app?retryWrites=true',
    });
  });

  it("accepts the original's MONGO_CONNECTION as an alias", () => {
    expect(chooseDatabase({ MONGO_CONNECTION: 'mongodb://localhost/authy' })).toEqual({
      kind: 'external',
      uri: 'mongodb://localhost/authy',
    });
  });

  it('prefers MONGODB_URI over the alias', () => {
    expect(chooseDatabase({ MONGODB_URI: 'mongodb://a/x', MONGO_CONNECTION: 'mongodb://b/y' })).toEqual({
      kind: 'external',
      uri: 'mongodb://a/x',
    });
  });

  it.each([
    ['MONGODB_URI', 'postgres://localhost/db'],
    ['MONGODB_URI', 'localhost:27017'],
    ['MONGODB_URI', 'mongodb://'],
    ['MONGO_CONNECTION', 'http://mongodb://x'],
  ])('rejects %s=%s naming the variable without echoing the value', (name, value) => {
    const attempt = () => chooseDatabase({ [name]: value });
    expect(attempt).toThrow(new RegExp(`^${name} must be a mongodb:// or mongodb\\+srv:// connection string$`));
  });

  it('does not echo a secret from an invalid value', () => {
    expect(() => chooseDatabase({ MONGODB_URI: 'mysql://user:hunter2@host' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('findOnPath', () => {
  it('finds the first executable file and skips directories and non-executables', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'findonpath-'));
    const [a, b, c] = ['a', 'b', 'c'].map((d) => path.join(root, d));
    mkdirSync(path.join(a, 'ferretdb'), { recursive: true }); // a directory
    mkdirSync(b);
    writeFileSync(path.join(b, 'ferretdb'), '', { mode: 0o644 }); // not executable
    mkdirSync(c);
    writeFileSync(path.join(c, 'ferretdb'), '#!/bin/sh\n', { mode: 0o755 });
    const PATH = [a, '', b, c].join(path.delimiter);
    expect(findOnPath('ferretdb', { PATH })).toBe(path.join(c, 'ferretdb'));
    expect(findOnPath('mongod', { PATH })).toBeUndefined();
    expect(findOnPath('mongod', {})).toBeUndefined();
  });
});
