// The production build the browser tests share, made again whenever its inputs changed since
// it was last made: the stamp is a hash of every file git does not ignore (tests, benchmarks and
// docs aside), so an edit anywhere in the sources, pages, configs or lockfile rebuilds it.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Files that cannot change what `npm run build` makes. */
const NOT_INPUT = /^(?:tests|bench|docs|\.ci)\/|\.md$/;
/** What `npm run build` makes; a missing one means the build is not there. */
const OUTPUTS = ['dist/index.html', 'dist-dashboard', 'public/models', 'public/codebooks'];

/** A hash of the build's inputs, or undefined outside a git checkout (then the build is always made). */
export function buildInputsHash(root) {
  let listed;
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const hash = createHash('sha256');
  for (const file of [...new Set(listed.split('\0'))].filter((f) => f && !NOT_INPUT.test(f)).sort()) {
    const path = join(root, file);
    // Deleted but not yet staged, or not a file (a node_modules symlink in a git worktree).
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    hash.update(`${file}\0`).update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Whether the last build was made from exactly these inputs; `stamp` is what to record once a new build
 * is made (undefined outside a git checkout).
 */
export function buildState(root) {
  const stampFile = join(root, '.tmp', 'build-stamp');
  const stamp = buildInputsHash(root);
  const built = OUTPUTS.every((p) => existsSync(join(root, p)));
  const fresh = Boolean(stamp && built && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp);
  return { fresh, stamp };
}

/** Records that the build was made from the inputs `stamp` names. */
export function recordBuild(root, stamp) {
  if (!stamp) return;
  const stampFile = join(root, '.tmp', 'build-stamp');
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, stamp);
}

/** Runs `npm run build` unless the last build was made from exactly these inputs. */
export function ensureFreshBuild(root) {
  const { fresh, stamp } = buildState(root);
  if (fresh) {
    console.log('build: dist/ is up to date with the sources');
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('build: npm run build failed; the browser tests need it');
    process.exit(result.status ?? 1);
  }
  recordBuild(root, stamp);
}
