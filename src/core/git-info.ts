// The git state of the kit's checkout, read when a run starts: HEAD's commit and whether the code
// paths (src/, native/, package-lock.json) hold uncommitted changes, tracked or untracked.
// Reference: docs/methods.md §12 (provenance of results); git-rev-parse(1), git-status(1) --porcelain.
import { execFileSync } from 'child_process';
import { CODE_PATHS } from './content-hash';

/** HEAD and the dirty flag of a checkout; both null outside a git checkout (or without git). */
export interface GitState {
  /** Full 40-hex commit of HEAD. */
  readonly commit: string | null;
  /** True when src/, native/ or package-lock.json differ from HEAD (untracked files count; ignored ones do not). */
  readonly dirty: boolean | null;
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
}

/** The git state of the checkout at `root` now (call it at a run's start). */
export function gitState(root: string): GitState {
  let commit: string;
  try {
    commit = git(root, ['rev-parse', 'HEAD']);
  } catch {
    return { commit: null, dirty: null };
  }
  try {
    const status = git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...CODE_PATHS]);
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit, dirty: null };
  }
}
