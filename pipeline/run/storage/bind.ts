import path from 'node:path';
import { run } from '../executor/steps.ts';
import { unpackInto, type OciMount, type StorageDriver } from './storage-driver.ts';

/**
 * SOCK's alternative to a union filesystem: the container's root is the image's own root
 * filesystem, bind-mounted read-only, and only the directories a grader writes get a writable
 * layer of their own. No copy and no copy-on-write: nothing of the image is written, ever.
 *
 * ```
 * import   tar -x IMAGE; mkdir -p IMAGE/{proc,dev,sys,tmp,task}   (the mount points: a
 *          read-only root cannot have them made at create)
 * create   mkdir -p BUNDLE/rootfs BUNDLE/rootfs.task
 *          mount --bind -o ro IMAGE BUNDLE/rootfs                  the root
 *          mount -t tmpfs -o size=64m BUNDLE/rootfs.task           /task, then
 *          cp -a IMAGE/task/. BUNDLE/rootfs.task                   the image's task files into it
 *          (config.json: root.readonly; /tmp a 64 MiB tmpfs the runtime mounts; /task the bind of rootfs.task)
 * clean    umount BUNDLE/rootfs BUNDLE/rootfs.task; rmdir both
 * ```
 *
 * /task is filled on the host, as INGInious's agent copies a task into a folder of the
 * submission's and mounts it: runc and crun could copy it themselves (`tmpcopyup`), but
 * gVisor ignores that option (seen with runsc 2022-12-19: an empty /task), and the three
 * runtimes must do the same work. A workload that writes anywhere else fails on the read-only
 * root: the planner skips those (WORKLOAD_WRITES in plan/feasibility.ts).
 */

/** One writable directory of a container under `bind`, for the manifest: where, how big, what backs it. */
export interface WritableDir {
  path: string;
  bytes: number;
  backing: string;
}

const MIB = 1024 * 1024;

/** The writable directories under `bind`: what the manifest records for its cells. */
export function bindWritableDirs(): WritableDir[] {
  return [
    { path: '/tmp', bytes: 64 * MIB, backing: 'a tmpfs the runtime mounts in the container (an OCI mount), empty at start; its pages count against the container\'s memory limit' },
    { path: '/task', bytes: 64 * MIB, backing: 'a tmpfs on the host holding a copy of the image\'s /task, bind-mounted read-write' },
  ];
}

/** The directories every root needs to exist for runc spec's mounts and bind's own. */
export const BIND_MOUNT_POINTS = ['proc', 'dev', 'sys', 'tmp', 'task'];

const sizeOf = (dir: string): number => bindWritableDirs().find((entry) => entry.path === dir)?.bytes ?? 0;
/** The host's tmpfs behind a container's /task: beside its root, which is read-only. */
export const taskDirOf = (rootfs: string): string => `${rootfs}.task`;

export const bind: StorageDriver = {
  name: 'bind',
  importImage: (_context, tarballPath, imageRootfs) => [
    ...unpackInto(tarballPath, imageRootfs),
    run('image: mkdir mount points', ['mkdir', '-p', ...BIND_MOUNT_POINTS.map((dir) => path.join(imageRootfs, dir))]),
  ],
  prepare: (_context, imageRootfs, rootfs) => [
    run('rootfs: mkdir', ['mkdir', '-p', rootfs, taskDirOf(rootfs)]),
    run('rootfs: mount --bind -o ro', ['mount', '--bind', '-o', 'ro', imageRootfs, rootfs]),
    run('task: mount tmpfs', ['mount', '-t', 'tmpfs', '-o', `size=${sizeOf('/task')},mode=755,nosuid,nodev`, 'tmpfs', taskDirOf(rootfs)]),
    run('task: cp -a', ['cp', '-a', `${path.join(imageRootfs, 'task')}/.`, taskDirOf(rootfs)]),
  ],
  remove: (_context, rootfs) => [
    run('rootfs: umount', ['umount', rootfs, taskDirOf(rootfs)]),
    run('rootfs: rmdir', ['rmdir', rootfs, taskDirOf(rootfs)]),
  ],
  bundle(rootfs) {
    const mounts: OciMount[] = [
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', `size=${sizeOf('/tmp')}`] },
      { destination: '/task', type: 'bind', source: taskDirOf(rootfs), options: ['rbind', 'rprivate', 'rw', 'nosuid', 'nodev'] },
    ];
    return { readonlyRoot: true, mounts };
  },
  describe: {
    prepare: 'mkdir -p BUNDLE/rootfs BUNDLE/rootfs.task; mount --bind -o ro IMAGE_ROOTFS BUNDLE/rootfs; mount -t tmpfs -o size=64m BUNDLE/rootfs.task; ' +
      'cp -a IMAGE_ROOTFS/task/. BUNDLE/rootfs.task (config.json: a read-only root, /tmp a 64 MiB tmpfs, /task the bind of BUNDLE/rootfs.task)',
    remove: 'umount BUNDLE/rootfs BUNDLE/rootfs.task; rmdir BUNDLE/rootfs BUNDLE/rootfs.task',
  },
};
