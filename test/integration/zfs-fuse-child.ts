/**
 * A crbench stand-in for the kill -9 tests of zfs-fuse.test.ts: provisions a zfs-fuse volume
 * in CRBENCH_WORK_DIR, clones a dataset as zfs-clone does for a container, then writes
 * `<work dir>/ready` and waits to be killed.
 *   node --import tsx test/integration/zfs-fuse-child.ts <volume name>
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { provisionVolume } from '../../provision/volume.ts';
import { resolveWorkDir } from '../../provision/work-dir.ts';

const workDir = resolveWorkDir();
const volume = await provisionVolume(workDir, process.argv[2] ?? 'killed', 'zfs-fuse', 256);
await $`zfs create -o mountpoint=${path.join(volume.mountpoint, 'images', 'tiny', 'rootfs')} ${volume.poolName}/image-tiny`;
await $`zfs snapshot ${volume.poolName}/image-tiny@base`;
await $`zfs clone -o mountpoint=${path.join(volume.mountpoint, 'containers', 'c1', 'rootfs')} ${volume.poolName}/image-tiny@base ${volume.poolName}/container-c1`;
writeFileSync(path.join(workDir, 'ready'), `${volume.poolName}\n`);
await new Promise(() => setInterval(() => undefined, 60_000));
