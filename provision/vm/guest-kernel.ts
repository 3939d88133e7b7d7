import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { cacheKeyOf, sha256OfFile } from '../images/cache-tarball.ts';
import { runStep } from '../run-step.ts';
import { moduleFacts, normaliseModuleName, orderModules, parseModuleList } from './kernel-modules.ts';
import { extractVmlinux, readBootHeader, readPvhEntry, type PayloadFormat } from './vmlinux.ts';

/**
 * The microVM's kernel: Debian's own, fetched and unpacked, never installed.
 *
 * ```
 * apt-cache depends linux-image-amd64 → linux-image-6.1.0-N-amd64 ─ apt-cache show: version, sha256
 *   cached? <cache>/guest-kernel-KEY/ ─ yes → its guest-kernel.json
 *   no → apt-get download (scratch) → dpkg-deb -x → vmlinux out of vmlinuz (PVH note checked)
 *        → the guest's modules and their dependencies (.modinfo depends=) → rename into place
 * ```
 * The key hashes the package's name, version and the .deb's sha256 as apt lists them (so a
 * cached kernel is found without a download), the recipe version and the drivers asked for.
 * The host is not touched: the .deb and its 400 MB tree live in the scratch folder and are
 * removed however the build ends.
 */

export const KERNEL_RECIPE_VERSION = 'guest-kernel-1';
/** Debian's metapackage; it depends on the current versioned kernel package. */
export const KERNEL_METAPACKAGE = 'linux-image-amd64';

/**
 * The drivers the guest needs, per use: the agent's virtio-serial port on the virtio-mmio
 * transport, and a read-only squashfs disk under a tmpfs overlay for a disk root. Debian builds
 * them all as modules (CONFIG_VIRTIO_MMIO=m, SQUASHFS=m, OVERLAY_FS=m: checked in its config),
 * but the list is checked against modules.builtin each time.
 */
export const GUEST_DRIVERS = {
  channel: ['virtio_mmio', 'virtio_console'],
  disk: ['virtio_blk', 'squashfs', 'overlay'],
} as const;

export type DriverUse = keyof typeof GUEST_DRIVERS;

export interface GuestModule {
  name: string;
  /** Below the kernel's cache folder. */
  file: string;
  depends: string[];
}

/** What the manifest records about the guest kernel, and where its files are. */
export interface GuestKernel {
  schemaVersion: 1;
  key: string;
  dir: string;
  package: string;
  packageVersion: string;
  debSha256: string;
  /** `uname -r` of the guest: 6.1.0-57-amd64. */
  release: string;
  /** The boot header's version string (builder, build date). */
  version: string | null;
  vmlinuxPath: string;
  vmlinuxSha256: string;
  vmlinuxBytes: number;
  vmlinuzSha256: string;
  /** How QEMU enters it: the uncompressed kernel's PVH entry (fast under TCG), or the bzImage. */
  entry: 'pvh' | 'bzimage';
  /** The kernel QEMU boots: vmlinux for PVH, else the vmlinuz kept beside it. */
  bootPath: string;
  pvhEntryAddress: string | null;
  payload: { format: PayloadFormat; offset: number; locatedBy: string };
  /** Each driver of GUEST_DRIVERS: compiled into the kernel, or loaded from the guest's initramfs. */
  drivers: Record<string, 'built-in' | 'module'>;
  /** Every module to load, dependencies first. */
  modules: GuestModule[];
  buildMs: number;
  fromCache: boolean;
}

/** The versioned package `apt-cache depends linux-image-amd64` names. */
export function parseKernelDependency(aptCacheDepends: string, metapackage = KERNEL_METAPACKAGE): string | null {
  const found = /^\s*(?:\|)?Depends:\s*(linux-image-\d[\w.+-]*)\s*$/m.exec(aptCacheDepends)?.[1];
  return found === undefined || found === metapackage ? null : found;
}

/** Version, SHA256 and Filename of the first stanza of `apt-cache show --no-all-versions`. */
export function parseAptShow(text: string): { version: string; sha256: string; filename: string } | null {
  const stanza = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)\\s*$`, 'm').exec(stanza)?.[1];
  const version = field('Version');
  const sha256 = field('SHA256');
  const filename = field('Filename');
  return version === undefined || sha256 === undefined || filename === undefined ? null : { version, sha256, filename };
}

export function guestKernelKey(inputs: { packageName: string; version: string; debSha256: string; recipeVersion?: string }): string {
  const drivers = Object.entries(GUEST_DRIVERS).map(([use, names]) => `${use}:${names.join(',')}`).join(';');
  return cacheKeyOf([inputs.recipeVersion ?? KERNEL_RECIPE_VERSION, inputs.packageName, inputs.version, inputs.debSha256, drivers]);
}

/** The modules to load for the given uses, in load order (built-in drivers need none). */
export function modulesFor(kernel: Pick<GuestKernel, 'modules'>, uses: readonly DriverUse[]): GuestModule[] {
  const byName = new Map(kernel.modules.map((module) => [module.name, module]));
  return orderModules(uses.flatMap((use) => GUEST_DRIVERS[use]), (name) => byName.get(name)?.depends ?? [])
    .map((name) => byName.get(name))
    .filter((module): module is GuestModule => module !== undefined);
}

async function findKernelPackage(metapackage: string): Promise<{ name: string; version: string; sha256: string }> {
  const depends = await runStep(`apt-cache depends ${metapackage}`, $`apt-cache depends ${metapackage}`);
  const name = parseKernelDependency(depends, metapackage);
  if (name === null) throw new CrbenchError('VM_NO_KERNEL_PACKAGE', `${metapackage} depends on no versioned linux-image package (apt-cache depends said: ${depends.trim().split('\n').slice(0, 4).join(' | ')}): run apt-get update`);
  const show = parseAptShow(await runStep(`apt-cache show ${name}`, $`apt-cache show --no-all-versions ${name}`));
  if (show === null) throw new CrbenchError('VM_NO_KERNEL_PACKAGE', `apt-cache show ${name} gave no Version/SHA256: run apt-get update`);
  return { name, version: show.version, sha256: show.sha256 };
}

/** Reads a cached kernel's facts, with the paths made absolute again. */
function readCached(dir: string, key: string): GuestKernel | null {
  const file = path.join(dir, 'guest-kernel.json');
  if (!existsSync(file)) return null;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as GuestKernel;
  return {
    ...stored, key, dir, fromCache: true,
    vmlinuxPath: path.join(dir, stored.vmlinuxPath), bootPath: path.join(dir, stored.bootPath),
    modules: stored.modules.map((module) => ({ ...module, file: path.join(dir, module.file) })),
  };
}

/** Unpacks the .deb and keeps what the guest needs in `target`; returns the facts with paths relative to it. */
async function buildKernelDir(deb: string, unpacked: string, target: string, packageFacts: { name: string; version: string; sha256: string }): Promise<Omit<GuestKernel, 'key' | 'dir' | 'fromCache' | 'buildMs'>> {
  await runStep(`unpacking ${path.basename(deb)}`, $`dpkg-deb -x ${deb} ${unpacked}`);
  const modulesRoot = path.join(unpacked, 'lib/modules');
  const releases = existsSync(modulesRoot) ? readdirSync(modulesRoot) : [];
  const release = releases[0];
  if (releases.length !== 1 || release === undefined) throw new CrbenchError('VM_BAD_KERNEL_PACKAGE', `${path.basename(deb)} holds ${releases.length} module trees (lib/modules/${releases.join(', ')}), expected one`);
  const vmlinuz = path.join(unpacked, 'boot', `vmlinuz-${release}`);
  if (!existsSync(vmlinuz)) throw new CrbenchError('VM_BAD_KERNEL_PACKAGE', `${path.basename(deb)} has no boot/vmlinuz-${release}`);
  const vmlinux = path.join(target, 'vmlinux');
  const payload = await extractVmlinux(vmlinuz, vmlinux, path.dirname(unpacked));
  const pvhEntry = readPvhEntry(readFileSync(vmlinux));
  // Without a PVH note QEMU cannot boot the vmlinux: keep the bzImage to boot instead.
  if (pvhEntry === null) copyFileSync(vmlinuz, path.join(target, 'vmlinuz'));

  const tree = path.join(modulesRoot, release);
  const readList = (name: string) => (existsSync(path.join(tree, name)) ? parseModuleList(readFileSync(path.join(tree, name), 'utf8')) : new Map<string, string>());
  const builtIn = readList('modules.builtin');
  const available = readList('modules.order');
  const depends = new Map<string, string[]>();
  const dependsOf = (name: string): string[] => {
    const cached = depends.get(name);
    if (cached !== undefined) return cached;
    const relative = available.get(name);
    if (relative === undefined) throw new CrbenchError('VM_MISSING_DRIVER', `the guest kernel ${release} has no driver ${name}, neither built in nor as a module`);
    if (!relative.endsWith('.ko')) throw new CrbenchError('VM_MISSING_DRIVER', `the guest kernel's module ${relative} is compressed; busybox insmod needs a plain .ko`);
    const facts = moduleFacts(readFileSync(path.join(tree, relative)), relative);
    depends.set(name, facts.depends);
    return facts.depends;
  };
  const wanted = Object.values(GUEST_DRIVERS).flat().map(normaliseModuleName);
  const order = orderModules(wanted, dependsOf, new Set(builtIn.keys()));
  mkdirSync(path.join(target, 'modules'));
  const modules: GuestModule[] = order.map((name) => {
    const file = path.join('modules', `${name}.ko`);
    copyFileSync(path.join(tree, available.get(name) as string), path.join(target, file));
    return { name, file, depends: depends.get(name) ?? [] };
  });
  return {
    schemaVersion: 1,
    package: packageFacts.name,
    packageVersion: packageFacts.version,
    debSha256: packageFacts.sha256,
    release,
    version: readBootHeader(readFileSync(vmlinuz))?.version ?? null,
    vmlinuxPath: 'vmlinux',
    vmlinuxSha256: await sha256OfFile(vmlinux),
    vmlinuxBytes: statSync(vmlinux).size,
    vmlinuzSha256: await sha256OfFile(vmlinuz),
    entry: pvhEntry === null ? 'bzimage' : 'pvh',
    bootPath: pvhEntry === null ? 'vmlinuz' : 'vmlinux',
    pvhEntryAddress: pvhEntry === null ? null : `0x${pvhEntry.toString(16)}`,
    payload: { format: payload.format, offset: payload.offset, locatedBy: payload.locatedBy },
    drivers: Object.fromEntries(wanted.map((name) => [name, builtIn.has(name) ? 'built-in' : 'module'])),
    modules,
  };
}

/**
 * The guest kernel for microVMs, from the cache or fetched now. `cacheDir` is the image
 * cache's folder (CRBENCH_CACHE_DIR, or <work dir>/cache/images); `scratchDir` a folder of the
 * work directory for the download.
 */
export async function provisionGuestKernel(options: { cacheDir: string; scratchDir: string; metapackage?: string }): Promise<GuestKernel> {
  const startMs = performance.now();
  const packageFacts = await findKernelPackage(options.metapackage ?? KERNEL_METAPACKAGE);
  const key = guestKernelKey({ packageName: packageFacts.name, version: packageFacts.version, debSha256: packageFacts.sha256 });
  const dir = path.join(options.cacheDir, `guest-kernel-${key}`);
  const cached = readCached(dir, key);
  if (cached !== null) return cached;

  const partial = `${dir}.partial`;
  const scratch = path.join(options.scratchDir, `guest-kernel-${key}`);
  rmSync(partial, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  try {
    // apt's sandbox user cannot write into a root-only scratch folder; the download is verified by apt either way.
    await runStep(`apt-get download ${packageFacts.name}`, $({ cwd: scratch })`apt-get download -q -o APT::Sandbox::User=root ${`${packageFacts.name}=${packageFacts.version}`}`);
    const deb = readdirSync(scratch).find((name) => name.endsWith('.deb'));
    if (deb === undefined) throw new CrbenchError('VM_NO_KERNEL_PACKAGE', `apt-get download ${packageFacts.name} left no .deb in ${scratch}`);
    const debSha256 = await sha256OfFile(path.join(scratch, deb));
    if (debSha256 !== packageFacts.sha256) throw new CrbenchError('VM_BAD_KERNEL_PACKAGE', `${deb} has sha256 ${debSha256}, apt lists ${packageFacts.sha256}`);
    const facts = await buildKernelDir(path.join(scratch, deb), path.join(scratch, 'root'), partial, packageFacts);
    writeFileSync(path.join(partial, 'guest-kernel.json'), `${JSON.stringify({ ...facts, buildMs: Math.round(performance.now() - startMs) }, null, 2)}\n`);
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  const built = readCached(dir, key);
  if (built === null) throw new CrbenchError('VM_KERNEL_CACHE', `the guest kernel was built but ${dir}/guest-kernel.json is missing`);
  return { ...built, fromCache: false };
}
