#!/usr/bin/env -S node --import tsx
/**
 * An LXD daemon of the pipeline's own for one cell group: its LXD_DIR on the group's volume,
 * its own client configuration, never the host's /var/lib/lxd or ~/.config/lxc.
 *
 *   LXD_DIR is bind-mounted onto itself first (private), so that one `umount -R` removes whatever
 *   LXD mounted below it (storage pool, shmounts, devlxd) even if LXD died without doing so;
 *   `lxd --group root --logfile …` is started detached and recorded (daemon.ts); `lxd
 *   waitready` waits for its socket. Stopping runs `lxd shutdown` (with LXD_DIR, or it would
 *   talk to the host's LXD), then that umount, then removes LXC's lock files of its instances
 *   (and their parent directories below /run/lxc while empty).
 *
 * Runs on its own too: provision/daemons/lxd.ts up <lxd-dir> | down <lxd-dir> (state below the work directory).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { findMount } from '../mounts.ts';
import { runStep } from '../run-step.ts';
import { assertUnderWorkDir, resolveWorkDir } from '../work-dir.ts';
import { listDaemons, startDaemon, stopDaemon, tailLog, type DaemonRecord } from './daemon.ts';

export interface LxdPaths {
  /** LXD_DIR: database, socket, instance configs, logs. */
  lxdDir: string;
  /** LXD_CONF: the client's configuration (remotes, certificates). */
  clientDir: string;
  /**
   * LXD_LXC_TEMPLATE_CONFIG, or null for LXD's default (/usr/share/lxc/config). LXD reads
   * it only to include `common.conf.d/`, where lxcfs's hooks live: an empty directory leaves
   * them out.
   */
  templateConfigDir: string | null;
}

/** The environment every LXD command of the group runs with. */
export function lxdEnv(paths: LxdPaths): string[] {
  return [`LXD_DIR=${paths.lxdDir}`, `LXD_CONF=${paths.clientDir}`];
}

/** argv prefix of every LXD client call: `env LXD_DIR=… LXD_CONF=… lxc`, so it talks to our daemon only. */
export function lxdClient(paths: LxdPaths): string[] {
  return ['env', ...lxdEnv(paths), 'lxc'];
}

/** The daemon's command, environment and the commands that stop it, as data. */
export function lxdDaemonSpec(groupId: string, paths: LxdPaths) {
  return {
    name: 'lxd',
    groupId,
    argv: ['lxd', '--group', 'root', '--logfile', path.join(paths.lxdDir, 'lxd.log')],
    env: {
      ...process.env,
      LXD_DIR: paths.lxdDir,
      ...(paths.templateConfigDir !== null ? { LXD_LXC_TEMPLATE_CONFIG: paths.templateConfigDir } : {}),
    },
    shutdownCommands: [
      ['env', `LXD_DIR=${paths.lxdDir}`, 'lxd', 'shutdown', '--timeout', '30'],
      ['umount', '--recursive', '--lazy', paths.lxdDir],
      ['rm', '-rf', path.join('/run/lxc/lock', paths.lxdDir)],
      ['rmdir', '--parents', '--ignore-fail-on-non-empty', path.dirname(path.join('/run/lxc/lock', paths.lxdDir))],
    ],
  };
}

/** Starts LXD for a group and waits until it answers; on failure nothing is left running. */
export async function startLxd(workDir: string, groupId: string, paths: LxdPaths, readyTimeoutS = 60): Promise<DaemonRecord> {
  for (const dir of [paths.lxdDir, paths.clientDir, ...(paths.templateConfigDir !== null ? [paths.templateConfigDir] : [])]) {
    assertUnderWorkDir(workDir, dir, 'keep LXD state in');
    mkdirSync(dir, { recursive: true });
  }
  if (findMount(paths.lxdDir) === undefined) {
    await runStep(`bind-mounting ${paths.lxdDir} onto itself`, $`mount --bind ${paths.lxdDir} ${paths.lxdDir}`);
    // Private: LXD's mounts below it must not propagate to the group's volume if that is a shared mount.
    await runStep(`making ${paths.lxdDir} a private mount`, $`mount --make-private ${paths.lxdDir}`);
  }
  const record = startDaemon(workDir, lxdDaemonSpec(groupId, paths));
  const ready = await $({ env: { ...process.env, LXD_DIR: paths.lxdDir } })`lxd waitready --timeout ${readyTimeoutS}`.quiet().nothrow();
  if (ready.exitCode !== 0) {
    const said = [ready.stderr.trim(), tailLog(record, 3)].filter(Boolean).join(' | ');
    await stopLxd(workDir, record, paths.lxdDir);
    throw new CrbenchError('DAEMON_FAILED', `lxd did not become ready within ${readyTimeoutS} s (LXD_DIR=${paths.lxdDir}): ${said}`);
  }
  return record;
}

/** `lxd shutdown`, the umount, the lock files (daemon.ts runs the recorded commands), SIGTERM/SIGKILL if still running. */
export async function stopLxd(workDir: string, record: DaemonRecord, lxdDir: string): Promise<void> {
  await stopDaemon(workDir, record);
  // The shutdown commands run only while the daemon still lives: if it died, undo its mounts here.
  if (findMount(lxdDir) !== undefined) await $`umount --recursive --lazy ${lxdDir}`.nothrow();
}

async function main(argv: string[]): Promise<void> {
  const workDir = resolveWorkDir();
  const [command, lxdDir] = argv;
  if ((command === 'up' || command === 'down') && lxdDir !== undefined) {
    const dir = path.resolve(lxdDir);
    const paths: LxdPaths = { lxdDir: dir, clientDir: `${dir}-client`, templateConfigDir: null };
    const groupId = `manual-${path.basename(dir)}`;
    if (command === 'up') {
      await startLxd(workDir, groupId, paths);
      console.log(`lxd running: LXD_DIR=${dir} LXD_CONF=${paths.clientDir} lxc …`);
    } else {
      const record = listDaemons(workDir).find((daemon) => daemon.name === 'lxd' && daemon.groupId === groupId);
      if (record === undefined) throw new CrbenchError('NO_SUCH_DAEMON', `no lxd recorded for ${dir}`);
      await stopLxd(workDir, record, dir);
    }
  } else {
    console.log('usage: provision/daemons/lxd.ts up <lxd-dir> | down <lxd-dir>   (below $CRBENCH_WORK_DIR)');
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
