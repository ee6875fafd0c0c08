// The V8 flags of server/start/node-flags.ts are those `npm start` and the container start the
// app with, and cluster workers inherit them from the primary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NODE_FLAGS } from '../../server/start/node-flags';

const ROOT = path.join(__dirname, '..', '..');

test('npm start and the Dockerfile start the server with the flags', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.start).toContain(`node ${NODE_FLAGS.join(' ')} dist/server/index.js`);
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  expect(JSON.parse(cmd![1])).toEqual(['node', ...NODE_FLAGS, 'dist/server/index.js']);
});

test("a cluster worker runs with the primary's flags", () => {
  const script = `
    const cluster = require('node:cluster');
    if (cluster.isPrimary) {
      cluster.fork().on('message', (m) => { console.log(JSON.stringify(m)); process.exit(0); });
    } else {
      process.send(process.execArgv);
    }`;
  const dir = mkdtempSync(path.join(tmpdir(), 'node-flags-'));
  try {
    const file = path.join(dir, 'cluster.js'); // cluster.fork() runs a file, not -e
    writeFileSync(file, script);
    const out = spawnSync(process.execPath, [...NODE_FLAGS, file], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(out.stdout.trim())).toEqual(expect.arrayContaining([...NODE_FLAGS]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
