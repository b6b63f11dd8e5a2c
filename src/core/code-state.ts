// The code a process runs: the git state and code hash of the checkout when the process started (the
// commands pin it before any work), so every run the process starts later records the code it executes,
// not an edit or commit made on disk since.
// Reference: docs/validation.md (provenance of every result).
import * as path from 'path';
import { codeHash } from './content-hash';
import { gitState, type GitState } from './git-info';

const codeStates = new Map<string, { git: GitState; code: string }>();

/**
 * The code this process runs, for the checkout at `root`: its git state and code hash when first asked in
 * this process (the commands ask at start, see pinCodeState). A process that runs several experiments
 * keeps executing the code it loaded, so a later edit or commit on disk must not be recorded as theirs.
 */
export function processCodeState(root: string): { git: GitState; code: string } {
  const key = path.resolve(root);
  let s = codeStates.get(key);
  if (!s) codeStates.set(key, (s = { git: gitState(root), code: codeHash(root) }));
  return s;
}

/** Records the code state of `root` now, at process start (commands call it before any work). */
export function pinCodeState(root: string): void {
  processCodeState(root);
}

/** Forgets the pinned state of `root`, as a new process would start without it (tests simulate a resume). */
export function forgetCodeState(root: string): void {
  codeStates.delete(path.resolve(root));
}
