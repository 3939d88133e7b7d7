import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { runStep } from '../run-step.ts';
import { findDebianMirror } from './apt-mirror.ts';
import { cacheKeyOf, cachedTarball, sha256OfFile, type PackOptions } from './cache-tarball.ts';
import type { BuiltImage, ImageRecipe } from './image-recipe.ts';
import { findBusybox } from './tiny.ts';
import { copyTasks, LARGE_FILE, tasksHash, writeLargeFile } from './workload-assets.ts';

/**
 * A realistic grading image, like INGInious's default environments: a Debian minbase root
 * with Python, GCC and make, built offline from the host's apt mirror, no registry.
 *
 * ```
 * debootstrap --variant=minbase --include=python3,gcc,make,libc6-dev bookworm ROOT MIRROR
 *   → strip (apt lists and caches, docs, man pages, locales, logs)   ┐ grader-base-KEY.tar
 *   → pack, mtimes clamped to the suite's Release date               ┘ (~40 s, cached)
 * unpack the base → add /bin/busybox, /data/large.bin, /task/*       ┐ grader-KEY.tar
 *   → pack the same way                                              ┘ (a few seconds, cached)
 * ```
 *
 * The base is cached apart so that changing a task or the large file does not debootstrap
 * again. Its key hashes the recipe version, suite, variant, package list, mirror URL and
 * the debootstrap version, NOT the date or the archive's state: a new Debian point release
 * does not rebuild it (the build costs 40 s and more, and a grading image's packages only
 * get fixes within a release). To rebuild it anyway, delete
 * `<work dir>/cache/images/grader-base-*.tar` (and `grader-*.tar`), or `crbench teardown
 * --purge-cache`. The packages a build got are recorded in the image, /var/lib/dpkg/status.
 *
 * The tarball is as reproducible as the tools allow: names sorted, owners kept numeric,
 * package files keep their mtimes (Python's .pyc files check them), files written while
 * building are clamped to the Release file's date, logs, caches and the host's hostname and
 * resolv.conf are dropped, and /etc/shadow's change dates are pinned. Two builds from the
 * same archive state gave byte-identical tarballs (base and image); a later archive state
 * gives newer packages, hence other bytes, under the same key.
 *
 * Building needs root, debootstrap, the host's busybox and the mirror over the network;
 * the scratch root is unmounted and removed however the build ends.
 */

/** Bump when the base recipe (debootstrap call, stripping) changes. */
export const BASE_RECIPE_VERSION = 'grader-base-1';
/** Bump when what is added on top of the base changes. */
export const RECIPE_VERSION = 'grader-1';
export const SUITE = 'bookworm';
export const VARIANT = 'minbase';
export const PACKAGES: readonly string[] = ['python3', 'gcc', 'make', 'libc6-dev'];

/** What the base build records in its root, for the second stage; removed from the image. */
const BASE_MARKER = '.crbench-base.json';

interface BaseFacts {
  sourceDateEpoch: number;
  debianVersion: string;
  mirror: string;
  debootstrapVersion: string;
  packages: string[];
}

/** The base's cache key: changes with the recipe, suite, packages (in any order), mirror or debootstrap, nothing else. */
export function graderBaseKey(inputs: { mirror: string; debootstrapVersion: string; packages?: readonly string[]; recipeVersion?: string }): string {
  const packages = [...(inputs.packages ?? PACKAGES)].sort().join(',');
  return cacheKeyOf([inputs.recipeVersion ?? BASE_RECIPE_VERSION, SUITE, VARIANT, packages, inputs.mirror, inputs.debootstrapVersion]);
}

/** The image's cache key: the base's key and everything added on top. */
export function graderKey(inputs: { baseKey: string; busyboxSha256: string; tasksHash: string; recipeVersion?: string }): string {
  return cacheKeyOf([inputs.recipeVersion ?? RECIPE_VERSION, inputs.baseKey, inputs.busyboxSha256,
    LARGE_FILE.version, String(LARGE_FILE.bytes), inputs.tasksHash]);
}

async function debootstrapVersion(): Promise<string> {
  const asked = await $`debootstrap --version`.nothrow();
  if (asked.exitCode !== 0) {
    throw new CrbenchError('MISSING_BINARY', 'the grader image needs debootstrap: apt-get install debootstrap');
  }
  return asked.stdout.trim();
}

/** The `Date:` of the suite's Release file that debootstrap fetched, as seconds since the epoch. */
export function releaseDateEpoch(rootfs: string): number {
  const lists = path.join(rootfs, 'var/lib/apt/lists');
  const release = (existsSync(lists) ? readdirSync(lists) : []).sort().find((name) => /_(In)?Release$/.test(name));
  const date = release === undefined ? undefined : /^Date:\s*(.+)$/m.exec(readFileSync(path.join(lists, release), 'utf8'))?.[1];
  const epochMs = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(epochMs)) throw new CrbenchError('PROVISION_FAILED', `debootstrap left no Release file with a Date in ${lists}`);
  return Math.floor(epochMs / 1000);
}

/** Removes the entries of `dir` (not `dir` itself), except the names in `keep`. */
function emptyDir(dir: string, keep: string[] = []): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!keep.includes(name)) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Removes every file below `dir`, keeping the folders (some daemons expect /var/log/apt). */
function removeFilesBelow(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeFilesBelow(full);
    else rmSync(full, { force: true });
  }
}

/**
 * Drops what grading never reads and what differs between two builds of the same inputs.
 * `rootfs` is a freshly debootstrapped root; every path is below it.
 */
export function stripRoot(rootfs: string, sourceDateEpoch: number): void {
  const at = (relative: string) => path.join(rootfs, relative);
  emptyDir(at('var/lib/apt/lists'), ['partial']);
  emptyDir(at('var/cache/apt'), ['archives']);
  emptyDir(at('var/cache/apt/archives'), ['partial']);
  for (const dir of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/lintian', 'usr/share/linda']) emptyDir(at(dir));
  emptyDir(at('usr/share/locale'), ['locale.alias']);
  removeFilesBelow(at('var/log'));
  // Backups and caches that hold dates or inode numbers of the build.
  for (const file of ['etc/passwd-', 'etc/group-', 'etc/shadow-', 'etc/gshadow-', 'var/cache/ldconfig/aux-cache', 'etc/resolv.conf']) {
    rmSync(at(file), { force: true });
  }
  for (const dir of ['var/cache/debconf', 'var/lib/dpkg']) {
    for (const name of existsSync(at(dir)) ? readdirSync(at(dir)) : []) {
      if (name.endsWith('-old')) rmSync(path.join(at(dir), name), { force: true });
    }
  }
  // The host's hostname is copied in by debootstrap; the runtime sets the container's own.
  writeFileSync(at('etc/hostname'), 'localhost\n');
  writeFileSync(at('etc/hosts'), '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n');
  // Field 3 of /etc/shadow is the day of the last password change: the build day.
  const shadow = at('etc/shadow');
  if (existsSync(shadow)) {
    const day = String(Math.floor(sourceDateEpoch / 86400));
    const pinned = readFileSync(shadow, 'utf8').split('\n')
      .map((line) => line.split(':')).map((fields) => (fields.length > 2 && fields[2] !== '' ? [...fields.slice(0, 2), day, ...fields.slice(3)] : fields).join(':'));
    writeFileSync(shadow, pinned.join('\n'));
  }
}

async function buildBase(cacheDir: string, scratchDir: string): Promise<BuiltImage> {
  const mirror = findDebianMirror(SUITE);
  const version = await debootstrapVersion();
  return cachedTarball({
    name: 'grader-base', key: graderBaseKey({ mirror, debootstrapVersion: version }), cacheDir, scratchDir,
    async populate(rootfs): Promise<PackOptions> {
      const argv = [`--variant=${VARIANT}`, `--include=${PACKAGES.join(',')}`, SUITE, rootfs, mirror];
      try {
        await runStep(`debootstrap ${argv.join(' ')}`, $`debootstrap ${argv}`);
      } catch (error) {
        const log = path.join(rootfs, 'debootstrap/debootstrap.log');
        const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
        throw tail === '' ? error : new CrbenchError('PROVISION_FAILED', `${(error as Error).message} (debootstrap.log: ${tail})`, { cause: error });
      }
      const sourceDateEpoch = releaseDateEpoch(rootfs);
      stripRoot(rootfs, sourceDateEpoch);
      const facts: BaseFacts = {
        sourceDateEpoch, debianVersion: readFileSync(path.join(rootfs, 'etc/debian_version'), 'utf8').trim(),
        mirror, debootstrapVersion: version, packages: [...PACKAGES],
      };
      writeFileSync(path.join(rootfs, BASE_MARKER), `${JSON.stringify(facts, null, 2)}\n`);
      return { sourceDateEpoch, clampMtime: true, keepOwners: true };
    },
  });
}

/** The Debian grading image: python3, gcc, make, plus busybox (for the cpu workload) and the workload files. */
export const grader: ImageRecipe = {
  name: 'grader',
  requiredBinaries: ['debootstrap', 'busybox', 'tar'],
  async build(cacheDir, scratchDir) {
    const mirror = findDebianMirror(SUITE);
    const baseKey = graderBaseKey({ mirror, debootstrapVersion: await debootstrapVersion() });
    const busybox = await findBusybox('grader');
    const key = graderKey({ baseKey, busyboxSha256: await sha256OfFile(busybox), tasksHash: tasksHash() });
    return cachedTarball({
      name: 'grader', key, cacheDir, scratchDir,
      async populate(rootfs): Promise<PackOptions> {
        const base = await buildBase(cacheDir, scratchDir);
        await runStep('unpacking the grader base image', $`tar -xpf ${base.tarballPath} --numeric-owner -C ${rootfs}`);
        const marker = path.join(rootfs, BASE_MARKER);
        const facts = JSON.parse(readFileSync(marker, 'utf8')) as BaseFacts;
        rmSync(marker);
        // The same static busybox as the tiny image, so the cpu workload runs the same code in both.
        const target = path.join(rootfs, 'usr/bin/busybox');
        copyFileSync(busybox, target);
        chmodSync(target, 0o755);
        writeLargeFile(rootfs);
        copyTasks(rootfs);
        return { sourceDateEpoch: facts.sourceDateEpoch, clampMtime: true, keepOwners: true };
      },
    });
  },
};
