import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cacheKeyOf, removeScratchRoot, sha256OfFile } from '../images/cache-tarball.ts';
import type { BuiltImage } from '../images/image-recipe.ts';
import { findBusybox } from '../images/tiny.ts';
import { runStep } from '../run-step.ts';
import { compareNames, entriesOfTree, writeNewcArchive, type CpioEntry } from './cpio.ts';
import { modulesFor, type DriverUse, type GuestKernel } from './guest-kernel.ts';
import { AGENT_DIR, AGENT_VERSION, agentBootConf, guestAgentScript, type GuestRoot } from './guest-agent.ts';

/**
 * The microVM's initramfs, in one of two shapes:
 *
 * ```
 * image initramfs (the `copy` strategy)      boot initramfs (a disk root, copy-on-write)
 *   the image's root filesystem, all of it     /init = the agent
 *   /init = the agent                          /.crbench/busybox, boot.conf, modules/
 *   /.crbench/busybox, boot.conf, modules/     /dev/console
 *   /dev/console                               → the image comes as a read-only disk (root-disk.ts)
 * ```
 * Both are newc archives with reproducible bytes (see cpio.ts): the image's entries as its
 * tarball unpacked them (owners, modes, mtimes), the agent's owned by root with mtime 0. They
 * are cached by a key of every input (image tarball, kernel, agent script, busybox,
 * compression) in the image cache, renamed into place only when complete.
 *
 * Uncompressed by default: QEMU copies the file into guest RAM on the host side, while gzip is
 * inflated by the guest kernel, emulated under TCG. Tiny's archive, 9 boots of each interleaved
 * (2026-12-02, a shared host): 4.0 MiB uncompressed, 1.64 s median from `cont` to the agent's
 * answer; 2.1 MiB gzip, 1.71 s. The disk root costs more for the same image (1.75 s against
 * 1.48 s, 7 boots each: three more modules, the mounts and the switch_root).
 */

export const INITRAMFS_RECIPE_VERSION = 'initramfs-1';

export type InitramfsCompression = 'none' | 'gzip';

export interface BuiltArchive {
  path: string;
  sha256: string;
  bytes: number;
  key: string;
  fromCache: boolean;
  /** Time to build it (0 when it came from the cache). */
  buildMs: number;
  /** Modules the agent loads, in order. */
  modules: string[];
  root: GuestRoot;
}

/**
 * Guest RAM the copy strategy cannot use for the image: the kernel, its page tables and
 * slabs, the agent, and the workload's own memory (a grading run of Python or GCC, tens of
 * MiB). The archive and its unpacked files both sit in RAM while the kernel unpacks it.
 */
export const COPY_RESERVE_MIB = 96;

/** Why an image cannot be the guest's initramfs in `memoryMiB` of RAM, or null when it fits. */
export function copyRootInfeasibility(rootBytes: number, memoryMiB: number): string | null {
  const neededMiB = Math.ceil((2 * rootBytes) / (1024 * 1024)) + COPY_RESERVE_MIB;
  if (neededMiB <= memoryMiB) return null;
  return `a ${Math.round(rootBytes / (1024 * 1024))} MiB root filesystem as an initramfs needs about ${neededMiB} MiB of guest RAM (archive and unpacked files, plus ${COPY_RESERVE_MIB} MiB for the kernel and the workload), more than the VM's ${memoryMiB} MiB: use the disk root (copy-on-write) instead`;
}

const sha256Of = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The agent's entries, and the dirs they need where the image has none. */
function agentEntries(options: { busybox: string; modulesDir: { name: string; file: string }[]; bootConf: string; script: string; present: ReadonlySet<string> }): CpioEntry[] {
  const owner = { uid: 0, gid: 0, mtime: 0 };
  const dir = AGENT_DIR.slice(1);
  const entries: CpioEntry[] = [
    { kind: 'dir', name: dir, mode: 0o755, ...owner },
    { kind: 'file', name: `${dir}/busybox`, mode: 0o755, data: readFileSync(options.busybox), ...owner },
    { kind: 'file', name: `${dir}/boot.conf`, mode: 0o644, data: Buffer.from(options.bootConf), ...owner },
    { kind: 'dir', name: `${dir}/modules`, mode: 0o755, ...owner },
    ...options.modulesDir.map(({ name, file }): CpioEntry => ({ kind: 'file', name: `${dir}/modules/${name}.ko`, mode: 0o644, data: readFileSync(file), ...owner })),
    { kind: 'file', name: 'init', mode: 0o755, data: Buffer.from(options.script), ...owner },
    // The kernel opens /dev/console for PID 1's stdio before anything mounts devtmpfs.
    { kind: 'char', name: 'dev/console', mode: 0o600, major: 5, minor: 1, ...owner },
  ];
  for (const mountpoint of ['dev', 'proc', 'sys']) {
    if (!options.present.has(mountpoint)) entries.push({ kind: 'dir', name: mountpoint, mode: 0o755, ...owner });
  }
  return entries;
}

/** Builds `target` with `write` unless it is cached; the partial file never takes the final name. */
async function cachedArchive(target: string, write: (partial: string) => Promise<void>): Promise<{ fromCache: boolean; buildMs: number }> {
  if (existsSync(target)) return { fromCache: true, buildMs: 0 };
  const startMs = performance.now();
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  try {
    await write(partial);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return { fromCache: false, buildMs: Math.round(performance.now() - startMs) };
}

interface ArchiveInputs {
  kernel: GuestKernel;
  cacheDir: string;
  compression?: InitramfsCompression;
  /** The busybox the agent runs under; the host's static one by default. */
  busyboxPath?: string;
}

async function archiveFacts(target: string, key: string, built: { fromCache: boolean; buildMs: number }, modules: string[], root: GuestRoot): Promise<BuiltArchive> {
  return { path: target, sha256: await sha256OfFile(target), bytes: statSync(target).size, key, ...built, modules, root };
}

const suffixOf = (compression: InitramfsCompression) => (compression === 'gzip' ? '.cpio.gz' : '.cpio');

/**
 * The image's whole root filesystem with the agent as /init: the `copy` strategy, each VM
 * gets its own copy in RAM. Check copyRootInfeasibility first: only small images fit.
 */
export async function buildImageInitramfs(options: ArchiveInputs & { image: BuiltImage; scratchDir: string }): Promise<BuiltArchive> {
  const compression = options.compression ?? 'none';
  const busybox = options.busyboxPath ?? await findBusybox('microVM agent');
  const modules = modulesFor(options.kernel, ['channel']);
  const root: GuestRoot = { kind: 'initramfs' };
  const script = guestAgentScript();
  const bootConf = agentBootConf({ modules: modules.map((module) => module.name), root });
  const key = cacheKeyOf([INITRAMFS_RECIPE_VERSION, AGENT_VERSION, sha256Of(script), sha256Of(bootConf), options.image.tarballSha256,
    options.kernel.key, await sha256OfFile(busybox), compression]);
  const target = path.join(options.cacheDir, `initramfs-${options.image.name}-${key}${suffixOf(compression)}`);
  const built = await cachedArchive(target, async (partial) => {
    const rootfs = path.join(options.scratchDir, `initramfs-${options.image.name}-${key}`);
    await removeScratchRoot(rootfs);
    mkdirSync(rootfs, { recursive: true });
    try {
      await runStep(`unpacking the ${options.image.name} image`, $`tar -xpf ${options.image.tarballPath} --numeric-owner -C ${rootfs}`);
      const imageEntries = entriesOfTree(rootfs);
      const ours = agentEntries({ busybox, modulesDir: modules, bootConf, script, present: new Set(imageEntries.map((entry) => entry.name)) });
      // The agent's files win over the image's own /init or /.crbench, should it have any.
      const replaced = new Set(ours.map((entry) => entry.name));
      const kept = imageEntries.filter((entry) => !replaced.has(entry.name) && !entry.name.startsWith(`${AGENT_DIR.slice(1)}/`));
      await writeNewcArchive([...kept, ...ours].sort((a, b) => compareNames(a.name, b.name)), partial, compression);
    } finally {
      await removeScratchRoot(rootfs);
    }
  });
  return archiveFacts(target, key, built, modules.map((module) => module.name), root);
}

/** The small initramfs that mounts a read-only disk root under a tmpfs overlay and switches to it. */
export async function buildBootInitramfs(options: ArchiveInputs & { diskFsType: string }): Promise<BuiltArchive> {
  const compression = options.compression ?? 'none';
  const busybox = options.busyboxPath ?? await findBusybox('microVM agent');
  const uses: DriverUse[] = ['channel', 'disk'];
  const modules = modulesFor(options.kernel, uses);
  const root: GuestRoot = { kind: 'disk', fsType: options.diskFsType };
  const script = guestAgentScript();
  const bootConf = agentBootConf({ modules: modules.map((module) => module.name), root });
  const key = cacheKeyOf([INITRAMFS_RECIPE_VERSION, AGENT_VERSION, sha256Of(script), sha256Of(bootConf), options.kernel.key, await sha256OfFile(busybox), compression]);
  const target = path.join(options.cacheDir, `initramfs-boot-${key}${suffixOf(compression)}`);
  const built = await cachedArchive(target, (partial) => writeNewcArchive(agentEntries({ busybox, modulesDir: modules, bootConf, script, present: new Set() }), partial, compression));
  return archiveFacts(target, key, built, modules.map((module) => module.name), root);
}
