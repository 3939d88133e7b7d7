import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

import type { HostCheck } from '../types.ts';

export type { HostCheck } from '../types.ts';

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Every CPU should run the performance governor: ondemand and powersave shift frequencies under a benchmark. */
export function checkGovernor(): HostCheck {
  const cpus = (() => { try { return readdirSync('/sys/devices/system/cpu').filter((name) => /^cpu\d+$/.test(name)); } catch { return []; } })();
  const governors = [...new Set(cpus.map((cpu) => read(`/sys/devices/system/cpu/${cpu}/cpufreq/scaling_governor`)?.trim()).filter((value): value is string => value !== undefined))];
  if (governors.length === 0) return { name: 'cpu frequency governor', status: 'ok', detail: 'no cpufreq (a VM: the hypervisor sets the frequency)', fix: '' };
  if (governors.every((governor) => governor === 'performance')) return { name: 'cpu frequency governor', status: 'ok', detail: 'performance', fix: '' };
  return { name: 'cpu frequency governor', status: 'warn', detail: governors.join(', '), fix: 'cpupower frequency-set -g performance (apt-get install linux-cpupower)' };
}

/** Thermal throttling events so far; a count that grows during a run means slowed CPUs. */
export function throttleCount(): number {
  let total = 0;
  try {
    for (const cpu of readdirSync('/sys/devices/system/cpu').filter((name) => /^cpu\d+$/.test(name))) {
      total += Number(read(`/sys/devices/system/cpu/${cpu}/thermal_throttle/core_throttle_count`) ?? 0);
    }
  } catch {
    // no sysfs: nothing to count
  }
  return total;
}

export function checkSwap(swapsText = read('/proc/swaps') ?? ''): HostCheck {
  const devices = swapsText.trim().split('\n').slice(1).filter(Boolean).length;
  return devices === 0
    ? { name: 'swap', status: 'ok', detail: 'none', fix: '' }
    : { name: 'swap', status: 'warn', detail: `${devices} swap device(s): a memory-hungry cell may page and slow the next ones`, fix: 'swapoff -a for the run' };
}

/** Other processes competing for the CPUs: the 1-minute load average against the core count. */
export function checkLoad(loadavgText = read('/proc/loadavg') ?? '0', cores = os.cpus().length): HostCheck {
  const load = Number(loadavgText.split(' ')[0]);
  return load > cores * 0.5
    ? { name: 'load from other processes', status: 'warn', detail: `load average ${load.toFixed(2)} on ${cores} cores`, fix: 'stop other work on this host while measuring' }
    : { name: 'load from other processes', status: 'ok', detail: `load average ${load.toFixed(2)} on ${cores} cores`, fix: '' };
}

export function checkFreeDisk(dir: string, neededBytes: number): HostCheck {
  try {
    const stats = statfsSync(dir);
    const free = stats.bavail * stats.bsize;
    const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
    return free < neededBytes
      ? { name: 'free disk', status: 'fail', detail: `${gib(free)} free at ${dir}, ${gib(neededBytes)} wanted`, fix: 'free space, or point CRBENCH_WORK_DIR at a larger disk' }
      : { name: 'free disk', status: 'ok', detail: `${gib(free)} free at ${dir}`, fix: '' };
  } catch (error) {
    return { name: 'free disk', status: 'fail', detail: `cannot stat ${dir}: ${(error as Error).message}`, fix: 'create the work directory' };
  }
}

/** The checks worth repeating before and during a run, recorded in the manifest. */
export function runHostChecks(workDir: string, neededBytes: number): { checks: HostCheck[]; throttleCount: number } {
  return { checks: [checkGovernor(), checkSwap(), checkLoad(), checkFreeDisk(workDir, neededBytes)], throttleCount: throttleCount() };
}
