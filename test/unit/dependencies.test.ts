// The dependency overrides of SECURITY.md hold: every copy of a package with a known advisory is
// at or above its patched version (read from the installed packages and the lockfile). That
// authy-client still works with them is test/integration/patched-dependencies.test.ts.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** -1, 0 or 1 as a is below, equal to or above b (plain x.y.z; a pre-release tag counts as below). */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { parts: core.split('.').map(Number), pre: pre !== undefined };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return x.pre === y.pre ? 0 : x.pre ? -1 : 1;
}

/** The folder of an installed package. */
function packageDir(name: string, from = root): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
}

/** The version of `name` that code in the folder `from` gets from require(). */
function versionSeenFrom(name: string, from: string): string {
  return JSON.parse(fs.readFileSync(path.join(packageDir(name, from), 'package.json'), 'utf8')).version;
}

/** The patched version of each major line that has one; a copy on any other major line fails. */
const PATCHED: Record<string, Record<number, string>> = {
  // CVE-2025-7783 (critical; 2.5.4 / 3.0.4 / 4.0.4), CVE-2026-12143 (high; 2.5.6 / 3.0.5 / 4.0.6)
  'form-data': { 2: '2.5.6', 3: '3.0.5', 4: '4.0.6' },
  // CVE-2023-26136
  'tough-cookie': { 4: '4.1.3', 5: '5.0.0' }, // 5.x (jsdom, dev only) was released after the fix
  // CVE-2025-15284 (high, < 6.14.1), CVE-2026-2391, GHSA-4mjr-xmp4-gh2g and GHSA-x5fp-wj9c-mxmx (< 6.16.0)
  qs: { 6: '6.16.0' },
  // CVE-2021-3765 and other ReDoS (13.7.0), CVE-2025-56200 (13.15.20), GHSA-vghf-hv5q-vc2g (high, 13.15.22)
  validator: { 13: '13.15.22' },
};

describe('installed versions', () => {
  const authyClient = packageDir('authy-client');
  const request = packageDir('request', authyClient);
  const asserts = packageDir('validator.js-asserts', authyClient);

  test.each(
    [
      ['form-data', request, '2.5.6'],
      ['tough-cookie', request, '4.1.3'],
      ['qs', request, '6.16.0'],
      ['qs', authyClient, '6.16.0'],
      ['qs', root, '6.16.0'],
      ['validator', authyClient, '13.15.22'],
      ['validator', asserts, '13.15.22'],
      ['form-data', packageDir('axios'), '4.0.6'],
    ].map(([name, from, floor]) => [name, path.relative(root, from) || 'the app', floor, from]),
  )('%s as required from %s is at least %s', (name, _label, floor, from) => {
    expect(compareVersions(versionSeenFrom(name, from), floor)).toBeGreaterThanOrEqual(0);
  });

  test('no copy in the lockfile is below the patched version of its major line', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    const below: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages as Record<string, { version?: string }>)) {
      const name = where.split('node_modules/').pop() ?? '';
      const floors = PATCHED[name];
      if (!floors || !entry.version) continue;
      const floor = floors[Number(entry.version.split('.')[0])];
      if (!floor || compareVersions(entry.version, floor) < 0) below.push(`${where}@${entry.version}`);
    }
    expect(below).toEqual([]);
  });

  test('the version compare', () => {
    expect(compareVersions('2.5.6', '2.5.6')).toBe(0);
    expect(compareVersions('2.10.0', '2.9.9')).toBe(1);
    expect(compareVersions('13.15.21', '13.15.22')).toBe(-1);
    expect(compareVersions('4.1.3-rc.1', '4.1.3')).toBe(-1);
  });
});
