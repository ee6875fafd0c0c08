// `npm run upgrade-legacy-hashes`: a second entry point with side effects, like index.ts. Reads
// the same configuration (.env, MONGODB_URI) and wraps every remaining legacy password hash.
import 'dotenv/config';
import path from 'node:path';
import { upgradeFromConfig } from './jobs/legacy-upgrade';
import { loadConfig } from './platform/config';
import { createLogger } from './platform/logger';
import { REPO_ROOT } from './platform/paths';

const config = loadConfig();
upgradeFromConfig(config, { dataDir: path.join(REPO_ROOT, '.data'), logger: createLogger(config.logLevel) }).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`upgrade-legacy-hashes: ${err.message}`);
    process.exit(1);
  },
);
