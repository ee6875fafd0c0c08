// `npm run upgrade-legacy-hashes`: a second entry point with side effects, like index.ts. Reads
// the same configuration (.env, MONGODB_URI) and wraps every remaining legacy password hash.
import 'dotenv/config';
import path from 'node:path';
import { upgradeFromConfig } from './auth/legacy-upgrade';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { REPO_ROOT } from './paths';

const config = loadConfig();
upgradeFromConfig(config, { dataDir: path.join(REPO_ROOT, '.data'), logger: createLogger(config.logLevel) }).then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`upgrade-legacy-hashes: ${err.message}`);
    process.exit(1);
  },
);
