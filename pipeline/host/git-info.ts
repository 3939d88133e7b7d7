import { execFileSync } from 'node:child_process';

/** The crbench checkout's commit and whether its tree had changes; nulls outside a git checkout. */
export function gitInfo(repoDir: string): { gitCommit: string | null; gitDirty: boolean | null } {
  try {
    const gitCommit = execFileSync('git', ['-C', repoDir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['-C', repoDir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { gitCommit, gitDirty: status.trim() !== '' };
  } catch {
    return { gitCommit: null, gitDirty: null };
  }
}
