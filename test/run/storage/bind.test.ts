import assert from 'node:assert/strict';
import { bind, bindWritableDirs, BIND_MOUNT_POINTS, taskDirOf } from '../../../pipeline/run/storage/bind.ts';
import type { Step } from '../../../pipeline/run/executor/steps.ts';

const volume = { mountpoint: '/m', poolName: 'crbench-g' };
const shown = (steps: Step[]) => steps.map((step) => (step.kind === 'run' ? `${step.label}: ${step.argv.join(' ')}` : step.kind));

describe('the bind storage driver', () => {
  it('imports the image as a plain directory with every mount point made, since a read-only root cannot get them at create', () => {
    assert.deepEqual(shown(bind.importImage(volume, '/cache/tiny.tar', '/m/images/tiny/rootfs')), [
      'image: mkdir: mkdir -p /m/images/tiny/rootfs',
      'image: tar -x: tar -xf /cache/tiny.tar -C /m/images/tiny/rootfs',
      `image: mkdir mount points: mkdir -p ${BIND_MOUNT_POINTS.map((dir) => `/m/images/tiny/rootfs/${dir}`).join(' ')}`,
    ]);
    assert.deepEqual([...BIND_MOUNT_POINTS].sort(), ['dev', 'proc', 'sys', 'task', 'tmp']);
  });

  it('binds the image read-only as the root and fills a 64 MiB tmpfs with the image\'s /task, each a labelled step of create', () => {
    assert.deepEqual(shown(bind.prepare(volume, '/m/images/grader/rootfs', '/m/c/x/rootfs')), [
      'rootfs: mkdir: mkdir -p /m/c/x/rootfs /m/c/x/rootfs.task',
      'rootfs: mount --bind -o ro: mount --bind -o ro /m/images/grader/rootfs /m/c/x/rootfs',
      'task: mount tmpfs: mount -t tmpfs -o size=67108864,mode=755,nosuid,nodev tmpfs /m/c/x/rootfs.task',
      'task: cp -a: cp -a /m/images/grader/rootfs/task/. /m/c/x/rootfs.task',
    ]);
  });

  it('unmounts both and removes the empty mount points in clean, leaving the image untouched', () => {
    assert.deepEqual(shown(bind.remove(volume, '/m/c/x/rootfs')), [
      'rootfs: umount: umount /m/c/x/rootfs /m/c/x/rootfs.task',
      'rootfs: rmdir: rmdir /m/c/x/rootfs /m/c/x/rootfs.task',
    ]);
    assert.ok(bind.remove(volume, '/m/c/x/rootfs').every((step) => step.kind === 'run' && !step.argv.some((arg) => arg.includes('/images/'))));
  });

  it('asks the bundle for a read-only root, a 64 MiB tmpfs at /tmp and the task tmpfs at /task', () => {
    assert.deepEqual(bind.bundle?.('/m/c/x/rootfs'), {
      readonlyRoot: true,
      mounts: [
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=67108864'] },
        { destination: '/task', type: 'bind', source: taskDirOf('/m/c/x/rootfs'), options: ['rbind', 'rprivate', 'rw', 'nosuid', 'nodev'] },
      ],
    });
  });

  it('says for the manifest which directories are writable, how big and what backs them', () => {
    assert.deepEqual(bindWritableDirs().map(({ path, bytes }) => [path, bytes]), [['/tmp', 64 * 2 ** 20], ['/task', 64 * 2 ** 20]]);
    assert.ok(bindWritableDirs().every((dir) => dir.backing.includes('tmpfs')));
  });
});
