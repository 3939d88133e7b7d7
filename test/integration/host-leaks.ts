import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../provision/cgroups.ts';

/**
 * What a run may have left on the host below `workDir`: loop devices backed by its files,
 * mounts below it, and processes (runtimes, containers) whose command line names it.
 */
export function leftovers(workDir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/sys/block').filter((entry) => entry.startsWith('loop'))) {
    const backing = path.join('/sys/block', name, 'loop', 'backing_file');
    if (existsSync(backing) && readFileSync(backing, 'utf8').startsWith(workDir)) found.push(`loop device /dev/${name}`);
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const mountpoint = line.split(' ')[1];
    if (mountpoint?.startsWith(workDir)) found.push(`mount ${mountpoint}`);
  }
  const processes = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).split('\n');
  for (const line of processes) {
    // Zombies are dead already; on hosts whose init does not reap, they linger harmlessly.
    const [, stat = '', ...args] = line.trim().split(/\s+/);
    if (!stat.startsWith('Z') && args.join(' ').includes(workDir) && !args.join(' ').includes('ps -eo')) found.push(`process ${line.trim()}`);
  }
  for (const controller of ['memory', 'pids', 'cpu']) {
    const tree = path.join('/sys/fs/cgroup', controller, cgroupParentOf(workDir));
    if (existsSync(tree)) found.push(`cgroup ${tree}`);
  }
  for (const dir of ['volumes', 'mnt', 'ns', 'runtime-state']) {
    const full = path.join(workDir, dir);
    if (existsSync(full) && readdirSync(full).length > 0) found.push(`files in ${full}: ${readdirSync(full).join(', ')}`);
  }
  return found;
}
