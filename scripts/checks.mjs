// @ts-check
// npm test's checks (node scripts/checks.mjs lint typecheck … [--alongside <script> [its args]]): the
// package.json scripts named, run at the same time, since each is one single-threaded process and
// most wait on nothing but the CPU. Each step's output is printed whole when it ends; the run
// fails, naming every step that failed, if any did.
//
// With --alongside, that script (Jest) runs at the same time with the terminal to itself, and the
// checks run at a lower CPU priority (nice 10): Jest's files spend much of their time waiting on
// browsers, servers and the database, and the checks take that idle CPU instead of holding Jest
// back for a minute first. A failed check is named as soon as it ends; every check's output is
// printed after Jest's.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
/** @type {Record<string, string>} */
const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
const args = process.argv.slice(2);
const alongsideAt = args.indexOf('--alongside');
const names = alongsideAt >= 0 ? args.slice(0, alongsideAt) : args;
const alongside = alongsideAt >= 0 ? args[alongsideAt + 1] : undefined;
/** What follows the script's name (`npm test -- <args>` appends them there): passed on to it. */
const alongsideArgs = alongsideAt >= 0 ? args.slice(alongsideAt + 2) : [];
const quote = (/** @type {string} */ arg) => `'${arg.replace(/'/g, `'\\''`)}'`;
const unknown = [...names, ...(alongside === undefined ? [] : [alongside])].filter((name) => !scripts[name]);
if (names.length === 0 || unknown.length > 0) {
  console.error(`checks: no package.json script ${unknown.join(', ') || '(none named)'}`);
  process.exit(2);
}
// As `npm run` does: the project's binaries first on PATH.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
/** Below the script run alongside, which keeps the CPU it asks for. */
const CHECK_PRIORITY = 10;

/** @typedef {{ name: string, code: number | null, seconds: string, text: string }} Result */

/** @param {Result} r */
const headline = (r) => `${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s): ${scripts[r.name]}`;

/** @param {Result} r */
function print(r) {
  console.log(headline(r));
  if (r.text) console.log(r.text.replace(/^/gm, `  ${r.name} | `));
}

/**
 * @param {string} name
 * @returns {Promise<Result>}
 */
function check(name) {
  const started = Date.now();
  const child = spawn(scripts[name], { cwd: root, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {Buffer[]} */
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('error', (err) => output.push(Buffer.from(String(err) + '\n')));
    child.on('close', (code) => {
      const result = { name, code, seconds: ((Date.now() - started) / 1000).toFixed(1), text: Buffer.concat(output).toString().trimEnd() };
      if (alongside === undefined) print(result);
      else if (code !== 0) console.error(`checks: ${headline(result)} (its output follows ${alongside}'s)`);
      resolve(result);
    });
  });
}

/**
 * The script run alongside, on the terminal.
 * @param {string} name
 * @returns {Promise<Result>}
 */
function main(name) {
  const started = Date.now();
  const command = [scripts[name], ...alongsideArgs.map(quote)].join(' ');
  const child = spawn(command, { cwd: root, env, shell: true, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', (err) => console.error(String(err)));
    child.on('close', (code) => resolve({ name, code, seconds: ((Date.now() - started) / 1000).toFixed(1), text: '' }));
  });
}

const mainRun = alongside === undefined ? undefined : main(alongside);
if (mainRun) {
  try {
    // This process's priority, which the checks started from now on inherit (the script alongside
    // was started before, and keeps the normal one).
    os.setPriority(CHECK_PRIORITY);
  } catch {
    // not allowed here: the checks run at the normal priority
  }
}
const [results, mainResult] = await Promise.all([Promise.all(names.map(check)), mainRun]);
if (mainResult) {
  results.forEach(print);
  console.log(headline(mainResult));
  results.push(mainResult);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failed.length > 0) {
  console.error(`checks: failed: ${failed.join(', ')}`);
  process.exit(1);
}
