// The repository root, found the same way from the TypeScript sources and from the bundle in dist/.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot(__dirname);
export const PUBLIC_DIR = path.join(REPO_ROOT, 'dist', 'public');
