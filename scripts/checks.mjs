// @ts-check
// npm test's steps before Jest (node scripts/checks.mjs lint typecheck …): the package.json
// scripts named, run at the same time, since each is one single-threaded process and most wait on
// nothing but the CPU. Each step's output is printed whole when it ends; the run fails, naming
// every step that failed, if any did.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
/** @type {Record<string, string>} */
const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
const names = process.argv.slice(2);
const unknown = names.filter((name) => !scripts[name]);
if (names.length === 0 || unknown.length > 0) {
  console.error(`checks: no package.json script ${unknown.join(', ') || '(none named)'}`);
  process.exit(2);
}
// As `npm run` does: the project's binaries first on PATH.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };

/**
 * @param {string} name
 * @returns {Promise<{ name: string, code: number | null, seconds: string }>}
 */
function run(name) {
  const started = Date.now();
  const child = spawn(scripts[name], { cwd: root, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {Buffer[]} */
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('error', (err) => output.push(Buffer.from(String(err) + '\n')));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const text = Buffer.concat(output).toString().trimEnd();
      console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${seconds} s): ${scripts[name]}`);
      if (text) console.log(text.replace(/^/gm, `  ${name} | `));
      resolve({ name, code, seconds });
    });
  });
}

const results = await Promise.all(names.map(run));
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failed.length > 0) {
  console.error(`checks: failed: ${failed.join(', ')}`);
  process.exit(1);
}
