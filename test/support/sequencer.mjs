// @ts-check
// Jest's order of test files: the slowest first, so the workers finish together instead of one
// running a long browser file alone at the end. Jest knows the times from its cache, but a fresh
// clone (CI) has none and Jest then starts with the biggest files, which are not the slowest (the
// four-line browser files that run a shared journey are among the slowest). So the times of a
// recent run are checked in (test/durations.json) and used when the cache has none.
// Refresh them: npx jest --json --outputFile=/tmp/jest.json && node test/support/sequencer.mjs /tmp/jest.json
// (more than one output: their average).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Jest's own sequencer (its failures and times from the cache), as Jest's documentation extends it.
/** @type {typeof import('@jest/test-sequencer').default} */
const Sequencer = createRequire(import.meta.url)('@jest/test-sequencer').default;

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DURATIONS = path.join(ROOT, 'test', 'durations.json');
const relative = (/** @type {string} */ file) => path.relative(ROOT, file).split(path.sep).join('/');

/** @returns {Record<string, number>} seconds by file, relative to the repository */
function checkedIn() {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8'));
  } catch {
    return {};
  }
}

export default class SlowestFirst extends Sequencer {
  /**
   * @override
   * @param {import('@jest/test-result').Test[]} tests
   */
  async sort(tests) {
    // Jest's order: last run's failures first, then by the cache's times (set as `duration`).
    const ordered = await super.sort(tests);
    if (ordered.some((test) => test.duration !== undefined)) return ordered;
    const known = checkedIn();
    const seconds = (/** @type {import('@jest/test-result').Test} */ test) => known[relative(test.path)] ?? Infinity;
    // No cache: the checked-in times, slowest first; a file without one (a new file) before all.
    return [...ordered].sort((a, b) => seconds(b) - seconds(a));
  }
}

// node test/support/sequencer.mjs <jest --json output>...: writes test/durations.json.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  /** @type {Record<string, number[]>} */
  const runs = {};
  for (const file of process.argv.slice(2)) {
    /** @type {{ testResults: { name: string, startTime: number, endTime: number }[] }} */
    const results = JSON.parse(readFileSync(file, 'utf8'));
    for (const r of results.testResults) (runs[relative(r.name)] ??= []).push((r.endTime - r.startTime) / 1000);
  }
  const average = (/** @type {number[]} */ s) => Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10;
  const durations = Object.fromEntries(
    Object.entries(runs)
      .map(([name, s]) => /** @type {const} */ ([name, average(s)]))
      .sort((a, b) => b[1] - a[1]),
  );
  writeFileSync(DURATIONS, JSON.stringify(durations, null, 2) + '\n');
  console.log(`wrote ${relative(DURATIONS)} (${Object.keys(durations).length} files)`);
}
