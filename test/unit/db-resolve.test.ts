import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath } from '../../server/embedded-db/executables';

describe('findOnPath', () => {
  it('finds the first executable file and skips directories and non-executables', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'findonpath-'));
    try {
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
    } finally {
      // The run's temporary folder may be a RAM disk: leave nothing there.
      rmSync(root, { recursive: true, force: true });
    }
  });
});
