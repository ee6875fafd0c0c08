// The direction of dependencies between folders, checked by `npm run check:deps` (part of
// `npm test`). Each folder lists the folders it may import; an import not listed fails, and so
// does any cycle, of files or of folders. docs/architecture.md ("The parts, and which way they
// depend") draws the same picture. Type-only imports count: they tie the code together as well.

/** Bottom up: a folder may import itself and the folders listed, nothing else of this repository. */
const MAY_IMPORT = {
  // Shared by the server and the SPA: phone numbers, push statuses, passkey summaries.
  common: [],
  // The SPA talks to the server only over HTTP.
  client: ['common'],

  // Utilities that know nothing of the app's parts: configuration, logging, paths, secrets.
  'server/platform': ['common'],
  // Data helpers (connect, outages, claims, expiry), and the embedded database's processes.
  'server/db': ['server/platform', 'common'],
  'server/embedded-db': ['server/platform', 'common'],
  // Transport: sessions, CSRF, bodies, errors, validation. Knows no login and no feature.
  'server/http': ['server/db', 'server/platform', 'common'],
  // Attempt limits and send budgets.
  'server/limits': ['server/http', 'server/db', 'server/platform', 'common'],
  // The 2FA API boundary: the interface, and each adapter (providers/authy/, providers/verify/)
  // with its client, its errors and the record it keeps on a user.
  'server/providers': ['server/http', 'server/db', 'server/platform', 'common'],

  // What is counted and timed (prom-client); the features report to it, and it times the provider's calls.
  'server/metrics': ['server/providers', 'server/http', 'server/platform', 'common'],

  // The features. auth/ (users, the login state, its guards) is the one the others build on.
  'server/auth': ['server/metrics', 'server/providers', 'server/limits', 'server/http', 'server/db', 'server/platform', 'common'],
  ...Object.fromEntries(
    ['twofa', 'verification', 'passkeys', 'protected', 'site', 'account', 'reset'].map((feature) => [
      `server/${feature}`,
      ['server/auth', 'server/metrics', 'server/providers', 'server/limits', 'server/http', 'server/db', 'server/platform', 'common'],
    ]),
  ),

  // The embedded Authy and Verify: it plays the upstream APIs, so it knows no feature and no
  // provider (but for Authy's callback signature, below).
  'server/sandbox': ['server/http', 'server/db', 'server/platform', 'common'],
  // Command-line jobs (npm run upgrade-legacy-hashes).
  'server/jobs': ['server/auth', 'server/embedded-db', 'server/db', 'server/platform', 'common'],
  // Start-up and wiring: the one folder that sees every part (but the jobs).
  'server/start': [
    'server/account',
    'server/reset',
    'server/auth',
    'server/twofa',
    'server/verification',
    'server/passkeys',
    'server/protected',
    'server/site',
    'server/sandbox',
    'server/metrics',
    'server/providers',
    'server/limits',
    'server/http',
    'server/db',
    'server/embedded-db',
    'server/platform',
    'common',
  ],
  // Ambient declarations (session fields, untyped packages).
  'server/types': ['common'],
};

const folders = (list) => `^(${list.join('|')})/`;

module.exports = {
  allowed: [
    // Packages and Node's own modules.
    { from: {}, to: { dependencyTypes: ['core'] } },
    { from: {}, to: { path: '^node_modules/' } },
    // The entry points (server/index.ts, server/upgrade-legacy-hashes.ts) may use anything; nothing imports them.
    { from: { path: '^server/[^/]+\\.ts$' }, to: { path: folders(['server/[^/]+', 'common']) } },
    ...Object.entries(MAY_IMPORT).map(([folder, uses]) => ({
      from: { path: `^${folder}/` },
      to: { path: folders([folder, ...uses]) },
    })),
    // The sandbox signs Authy's callbacks with the same code the app checks them with.
    { from: { path: '^server/sandbox/' }, to: { path: '^server/providers/authy/signature\\.ts$' } },
  ],
  allowedSeverity: 'error',
  forbidden: [
    { name: 'no-file-cycle', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-folder-cycle', severity: 'error', scope: 'folder', from: {}, to: { circular: true } },
    {
      name: 'no-crossing-between-adapters',
      comment: "Authy and Verify sit side by side (in providers/ and in sandbox/): neither reads the other's code or data.",
      severity: 'error',
      from: { path: '^server/(providers|sandbox)/(authy|verify)/' },
      to: { path: '^server/$1/(authy|verify)/', pathNot: '^server/$1/$2/' },
    },
    {
      name: 'sandbox-shared-below-its-halves',
      comment: "The sandbox's shared parts (clock, inbox, push requests, the phone page) serve both APIs and know neither.",
      severity: 'error',
      from: { path: '^server/sandbox/shared/' },
      to: { path: '^server/sandbox/(authy|verify)/' },
    },
    {
      name: 'no-dev-dependency',
      comment: 'The server runs with production dependencies only; the SPA is bundled from them.',
      severity: 'error',
      from: { path: '^(server|client|common)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // Packages' "exports" maps, as Node and TypeScript read them (dotenv/config is one).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'types', 'default'] },
  },
};
