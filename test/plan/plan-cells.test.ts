import { strict as assert } from 'node:assert';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import schema from '../../experiments/matrix.schema.json' with { type: 'json' };
import { loadMatrix } from '../../pipeline/load/load-matrix.ts';
import { ACCELERATOR_REQUIREMENTS, AXIS_REQUIREMENTS, IMAGE_PROVIDES, OCI_REQUIREMENTS, STORAGE_DRIVER_SUPPORT, VM_ACCELERATORS, WORKLOAD_NEEDS, requiredBinaries } from '../../pipeline/plan/feasibility.ts';
import { cellId, planCells } from '../../pipeline/plan/plan-cells.ts';
import { AXES, splitRuntime, type HostFacts, type Matrix } from '../../pipeline/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A host with everything the feasibility table can ask for. */
function equippedHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    isRoot: true,
    kernel: '6.1.0-test',
    distribution: 'Debian GNU/Linux 12',
    cpuModel: 'Test CPU',
    cores: 4,
    memoryBytes: 8 * 1024 ** 3,
    cgroupMode: 'v2',
    kernelFilesystems: ['ext4', 'xfs', 'btrfs', 'zfs'],
    binaries: Object.fromEntries(requiredBinaries().map((name) => [name, `/usr/bin/${name}`])),
    loopControl: true,
    kernelFeatures: ['device-mapper'],
    vm: { usable: true, reason: 'a test guest started' },
    ...overrides,
  };
}

/** `host` with the named binaries missing. */
function without(host: HostFacts, ...names: string[]): HostFacts {
  return { ...host, binaries: { ...host.binaries, ...Object.fromEntries(names.map((name) => [name, null])) } };
}

function matrixWith(axes: Partial<Matrix['axes']>): Matrix {
  return {
    schemaVersion: 1,
    name: 'test',
    axes: {
      runtime: ['runc'], storageDriver: ['copy'], filesystem: ['ext4'], image: ['tiny'], workload: ['noop'], lifecycle: ['exec'], netns: ['fresh'], cgroup: ['fresh'], concurrency: [1],
      ...axes,
    },
    repetitions: 3,
    warmup: 1,
    blockRepetitions: 5,
    volumeSizeMiB: 512,
    phaseTimeoutMs: 30000,
    seed: 1,
    regressionThresholdPercent: 10,
    hosts: 'one',
  };
}

const CHAPTER5_AXES: Matrix['axes'] = {
  runtime: ['runc', 'crun'],
  storageDriver: ['copy'],
  filesystem: ['ext4', 'xfs', 'btrfs', 'zfs'],
  image: ['tiny'],
  workload: ['noop'],
  lifecycle: ['exec'],
  netns: ['fresh'],
  cgroup: ['fresh'],
  concurrency: [1],
};

describe('planCells()', () => {
  describe('expansion', () => {
    it('expands runtime outermost, then driver, then filesystem, each in the listed order', () => {
      const cells = planCells(matrixWith({ runtime: ['runc', 'crun'], filesystem: ['xfs', 'ext4'] }), equippedHost());
      assert.deepEqual(
        cells.map((cell) => cell.id),
        ['runc.copy.xfs.tiny.noop.exec.c1', 'runc.copy.ext4.tiny.noop.exec.c1', 'crun.copy.xfs.tiny.noop.exec.c1', 'crun.copy.ext4.tiny.noop.exec.c1'],
      );
    });

    it('puts concurrency innermost', () => {
      const cells = planCells(matrixWith({ filesystem: ['ext4', 'xfs'], concurrency: [1, 2] }), equippedHost());
      assert.deepEqual(
        cells.map((cell) => `${cell.filesystem}.c${cell.concurrency}`),
        ['ext4.c1', 'ext4.c2', 'xfs.c1', 'xfs.c2'],
      );
    });

    it('reorders the cells when an axis is reordered in the file', async () => {
      // block-lists.yaml lists crun before runc and btrfs before ext4.
      const { matrix } = await loadMatrix(path.resolve(here, '../fixtures/matrices/valid/block-lists.yaml'));
      assert.deepEqual(
        planCells(matrix, equippedHost()).map((cell) => cell.groupId),
        ['crun.copy.btrfs', 'crun.copy.ext4', 'runc.copy.btrfs', 'runc.copy.ext4'],
      );
      const reordered = { ...matrix, parts: undefined, axes: { ...matrix.axes, runtime: ['runc', 'crun'] } };
      assert.deepEqual(
        planCells(reordered, equippedHost()).map((cell) => cell.groupId),
        ['runc.copy.btrfs', 'runc.copy.ext4', 'crun.copy.btrfs', 'crun.copy.ext4'],
      );
    });

    it('plans one cell per combination, each carrying its axis values', () => {
      const cells = planCells(matrixWith(CHAPTER5_AXES), equippedHost());
      assert.equal(cells.length, 2 * 4);
      assert.deepEqual(
        { ...cells[7], id: undefined, groupId: undefined, feasible: undefined },
        {
          id: undefined, groupId: undefined, feasible: undefined, runtime: 'crun', storageDriver: 'copy', filesystem: 'zfs', image: 'tiny', workload: 'noop',
          lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1,
        },
      );
    });

    it('expands the life-cycle shape, then the network namespace, then the cgroup, all inside the workload and outside concurrency', () => {
      const cells = planCells(matrixWith({ workload: ['noop', 'cpu'], lifecycle: ['exec', 'command'], netns: ['fresh', 'reused'], cgroup: ['fresh', 'reused'], concurrency: [1, 2] }), equippedHost());
      assert.equal(cells.length, 2 * 2 * 2 * 2 * 2);
      assert.deepEqual(
        cells.slice(0, 9).map((cell) => `${cell.workload} ${cell.lifecycle} ${cell.netns} ${cell.cgroup} ${cell.concurrency}`),
        [
          'noop exec fresh fresh 1', 'noop exec fresh fresh 2', 'noop exec fresh reused 1', 'noop exec fresh reused 2',
          'noop exec reused fresh 1', 'noop exec reused fresh 2', 'noop exec reused reused 1', 'noop exec reused reused 2',
          'noop command fresh fresh 1',
        ],
      );
      assert.equal(cells[16]?.workload, 'cpu');
    });
  });

  describe('ids', () => {
    it('builds ids from the axis values, so they are the same whatever the host or the order', () => {
      const ids = (matrix: Matrix, host: HostFacts) => planCells(matrix, host).map((cell) => cell.id).sort();
      const reversed = matrixWith({ ...CHAPTER5_AXES, runtime: ['crun', 'runc'], filesystem: ['zfs', 'btrfs', 'xfs', 'ext4'] });
      assert.deepEqual(ids(matrixWith(CHAPTER5_AXES), equippedHost()), ids(reversed, equippedHost({ isRoot: false })));
      assert.equal(planCells(matrixWith({}), equippedHost())[0]?.id, 'runc.copy.ext4.tiny.noop.exec.c1');
    });

    it('puts the life-cycle shape after the workload, and a lever only when it is not fresh', () => {
      const cells = planCells(matrixWith({ lifecycle: ['exec', 'command'], netns: ['fresh', 'reused', 'host'], cgroup: ['fresh', 'reused'] }), equippedHost());
      assert.deepEqual(cells.map((cell) => cell.id), [
        'runc.copy.ext4.tiny.noop.exec.c1',
        'runc.copy.ext4.tiny.noop.exec.cgroup-reused.c1',
        'runc.copy.ext4.tiny.noop.exec.netns-reused.c1',
        'runc.copy.ext4.tiny.noop.exec.netns-reused.cgroup-reused.c1',
        'runc.copy.ext4.tiny.noop.exec.netns-host.c1',
        'runc.copy.ext4.tiny.noop.exec.netns-host.cgroup-reused.c1',
        'runc.copy.ext4.tiny.noop.command.c1',
        'runc.copy.ext4.tiny.noop.command.cgroup-reused.c1',
        'runc.copy.ext4.tiny.noop.command.netns-reused.c1',
        'runc.copy.ext4.tiny.noop.command.netns-reused.cgroup-reused.c1',
        'runc.copy.ext4.tiny.noop.command.netns-host.c1',
        'runc.copy.ext4.tiny.noop.command.netns-host.cgroup-reused.c1',
      ]);
      // The levers and the shape do not change the group: one volume serves them all.
      assert.deepEqual([...new Set(cells.map((cell) => cell.groupId))], ['runc.copy.ext4']);
    });

    it('keeps an engine+oci runtime whole in the id and the group', () => {
      const [cell] = planCells(matrixWith({ runtime: ['docker+crun'], storageDriver: ['overlay2'] }), equippedHost());
      assert.deepEqual([cell?.id, cell?.groupId], ['docker+crun.overlay2.ext4.tiny.noop.exec.c1', 'docker+crun.overlay2.ext4']);
    });

    it('names a cell by cellId() exactly as planCells() does', () => {
      for (const cell of planCells(matrixWith({ runtime: ['runc', 'crun'], lifecycle: ['exec', 'command'], netns: ['fresh', 'host'], concurrency: [1, 4] }), equippedHost())) {
        assert.equal(cellId(cell), cell.id);
      }
    });

    it('gives every cell a unique id', () => {
      const cells = planCells(matrixWith({ ...CHAPTER5_AXES, concurrency: [1, 2, 4] }), equippedHost());
      assert.equal(new Set(cells.map((cell) => cell.id)).size, cells.length);
    });

    it('gives the cells of one runtime, driver and filesystem one groupId, and other cells another', () => {
      const cells = planCells(matrixWith({ runtime: ['runc', 'crun'], filesystem: ['ext4', 'xfs'], concurrency: [1, 2] }), equippedHost());
      for (const cell of cells) {
        assert.equal(cell.groupId, `${cell.runtime}.${cell.storageDriver}.${cell.filesystem}`);
      }
      const groups = new Set(cells.map((cell) => cell.groupId));
      assert.equal(groups.size, 4);
      assert.deepEqual(
        cells.filter((cell) => cell.groupId === 'crun.copy.xfs').map((cell) => cell.concurrency),
        [1, 2],
      );
    });
  });

  describe('feasibility', () => {
    it('makes every cell feasible on a fully equipped host', () => {
      const cells = planCells(matrixWith(CHAPTER5_AXES), equippedHost({ cgroupMode: 'hybrid' }));
      assert.ok(cells.length > 0);
      for (const cell of cells) {
        assert.equal(cell.feasible, true, `${cell.id}: ${cell.skipReason}`);
        assert.equal(cell.skipReason, undefined);
      }
    });

    it('skips the zfs cells when the kernel lacks zfs, saying what is missing', () => {
      const host = without(equippedHost({ kernelFilesystems: ['ext4', 'xfs', 'btrfs'] }), 'zpool', 'zfs');
      const cells = planCells(matrixWith(CHAPTER5_AXES), host);
      const skipped = cells.filter((cell) => !cell.feasible);
      assert.deepEqual(
        skipped.map((cell) => cell.id),
        ['runc.copy.zfs.tiny.noop.exec.c1', 'crun.copy.zfs.tiny.noop.exec.c1'],
      );
      for (const cell of skipped) {
        assert.match(cell.skipReason ?? '', /^filesystem zfs: /);
        assert.match(cell.skipReason ?? '', /kernel has no zfs support/);
        assert.match(cell.skipReason ?? '', /'zpool' not found \(.*zfsutils-linux/);
        assert.match(cell.skipReason ?? '', /'zfs' not found/);
      }
    });

    it('skips crun without nsenter on a hybrid-cgroup host, naming util-linux', () => {
      const cells = planCells(matrixWith({ runtime: ['runc', 'crun'] }), without(equippedHost({ cgroupMode: 'hybrid' }), 'nsenter'));
      assert.deepEqual(
        cells.map((cell) => [cell.runtime, cell.feasible]),
        [
          ['runc', true],
          ['crun', false],
        ],
      );
      assert.match(cells[1]?.skipReason ?? '', /^runtime crun: binary 'nsenter' not found .*util-linux/);
    });

    it('runs crun without nsenter when the host is not in hybrid cgroup mode', () => {
      for (const cgroupMode of ['v1', 'v2', 'none'] as const) {
        const [cell] = planCells(matrixWith({ runtime: ['crun'] }), without(equippedHost({ cgroupMode }), 'nsenter', 'unshare'));
        assert.equal(cell?.feasible, true, cgroupMode);
      }
    });

    it('skips a runtime whose binary is missing, and only that runtime', () => {
      const cells = planCells(matrixWith({ runtime: ['runc', 'crun'] }), without(equippedHost(), 'crun'));
      assert.deepEqual(cells.map((cell) => cell.feasible), [true, false]);
      assert.match(cells[1]?.skipReason ?? '', /binary 'crun' not found \(apt-get install crun\)/);
    });

    it('skips a storage driver on a runtime it does not belong to, naming the runtimes it does belong to', () => {
      const [cell] = planCells(matrixWith({ runtime: ['runc'], storageDriver: ['overlay2'], filesystem: ['ext4'] }), equippedHost());
      assert.match(cell?.skipReason ?? '', /storage driver overlay2 does not work with runtime runc \(it is a driver of docker, docker-cli\)/);
    });

    it('skips a block copy-on-write driver on the wrong filesystem, naming the one it needs', () => {
      const cells = planCells(matrixWith({ runtime: ['runc'], storageDriver: ['btrfs-snapshot', 'xfs-reflink'], filesystem: ['ext4', 'btrfs', 'xfs'] }), equippedHost());
      assert.deepEqual(cells.filter((cell) => cell.feasible).map((cell) => cell.id), ['runc.btrfs-snapshot.btrfs.tiny.noop.exec.c1', 'runc.xfs-reflink.xfs.tiny.noop.exec.c1']);
      assert.match(cells.find((cell) => cell.id.startsWith('runc.xfs-reflink.ext4'))?.skipReason ?? '', /does not work on ext4 \(it needs xfs\)/);
    });

    it('skips devicemapper and lvm on a kernel without device-mapper', () => {
      const host = equippedHost({ kernelFeatures: [] });
      const cells = planCells(matrixWith({ runtime: ['docker', 'lxc'], storageDriver: ['devicemapper', 'lvm'], filesystem: ['ext4'] }), host);
      for (const cell of cells) assert.equal(cell.feasible, false, cell.id);
      assert.match(cells.find((cell) => cell.id === 'docker.devicemapper.ext4.tiny.noop.exec.c1')?.skipReason ?? '', /no \/dev\/mapper\/control/);
    });

    it('skips aufs everywhere, saying it is gone from Docker', () => {
      const [cell] = planCells(matrixWith({ runtime: ['docker'], storageDriver: ['aufs'], filesystem: ['ext4'] }), equippedHost());
      assert.match(cell?.skipReason ?? '', /aufs was deprecated in Docker 20\.10 and removed in Docker 24/);
    });

    it('skips VM runtimes where KVM is not usable, with the probe\'s reason', () => {
      const host = equippedHost({ vm: { usable: false, reason: 'qemu -accel kvm failed: failed to set MSR 0x10a' } });
      const [cell] = planCells(matrixWith({ runtime: ['kata'], storageDriver: ['copy'], filesystem: ['ext4'] }), host);
      assert.match(cell?.skipReason ?? '', /no usable KVM for a VM runtime \(qemu -accel kvm failed: failed to set MSR 0x10a\)/);
    });

    it('skips a grading workload on an image without its compiler or interpreter', () => {
      const cells = planCells(matrixWith({ runtime: ['runc'], image: ['tiny', 'grader'], workload: ['grade-c', 'noop'] }), equippedHost());
      assert.deepEqual(cells.filter((cell) => !cell.feasible).map((cell) => cell.id), ['runc.copy.ext4.tiny.grade-c.exec.c1']);
      assert.match(cells[0]?.skipReason ?? '', /workload grade-c needs gcc, make, which image tiny does not have/);
    });

    it('runs any concurrency the schema accepts', () => {
      const cells = planCells(matrixWith({ concurrency: [1, 2, 16] }), equippedHost());
      assert.deepEqual(cells.map((cell) => cell.feasible), [true, true, true]);
    });

    it('skips every cell when not root or without loop devices', () => {
      for (const host of [equippedHost({ isRoot: false }), equippedHost({ loopControl: false })]) {
        const cells = planCells(matrixWith({ runtime: ['runc', 'crun'] }), host);
        assert.ok(cells.every((cell) => !cell.feasible && /^host: /.test(cell.skipReason ?? '')));
      }
    });

    it('lists every unmet requirement in one reason, each once', () => {
      const host = without(equippedHost({ isRoot: false, kernelFilesystems: ['ext4'] }), 'crun', 'mkfs.xfs', 'busybox');
      const [cell] = planCells(matrixWith({ runtime: ['crun'], filesystem: ['xfs'] }), host);
      const reason = cell?.skipReason ?? '';
      for (const expected of ['not running as root', "binary 'crun'", 'no xfs support', "binary 'mkfs.xfs'", "binary 'busybox'"]) {
        assert.ok(reason.includes(expected), `${expected} missing from: ${reason}`);
      }
      assert.equal(reason.split("binary 'crun'").length, 2, 'each reason appears once');
    });

    it('needs the binary of the OCI runtime behind an engine: docker+crun without crun is skipped, and could run elsewhere', () => {
      const matrix = matrixWith({ runtime: ['docker', 'docker+crun', 'docker+runsc'], storageDriver: ['vfs'] });
      const cells = planCells(matrix, without(equippedHost(), 'crun'));
      assert.deepEqual(cells.map((cell) => [cell.runtime, cell.feasible, cell.skipByDesign]), [
        ['docker', true, undefined],
        ['docker+crun', false, undefined],
        ['docker+runsc', true, undefined],
      ]);
      assert.match(cells[1]?.skipReason ?? '', /^runtime docker\+crun: binary 'crun' not found \(apt-get install crun\)/);
      assert.equal(planCells(matrix, equippedHost())[1]?.feasible, true);
    });

    it('needs the engine\'s binaries too for engine+oci', () => {
      const [cell] = planCells(matrixWith({ runtime: ['podman+crun'], storageDriver: ['overlay'] }), without(equippedHost(), 'podman'));
      assert.match(cell?.skipReason ?? '', /binary 'podman' not found/);
    });

    it('skips runc+crun by design: runc runs no OCI runtime behind it', () => {
      const [cell] = planCells(matrixWith({ runtime: ['runc+crun'] }), equippedHost());
      assert.equal(cell?.feasible, false);
      assert.equal(cell?.skipByDesign, true);
      assert.match(cell?.skipReason ?? '', /runtime runc takes no OCI runtime behind it \(only docker, docker-cli, podman do\)/);
    });

    it('marks a skip that no host could lift as by design: a driver of another runtime, lxd in the command shape, a lever the runtime lacks', () => {
      const cells = [
        ...planCells(matrixWith({ runtime: ['runc'], storageDriver: ['overlay2'] }), equippedHost()),
        ...planCells(matrixWith({ runtime: ['lxd'], storageDriver: ['dir'], lifecycle: ['exec', 'command'] }), equippedHost()),
        ...planCells(matrixWith({ runtime: ['docker'], storageDriver: ['overlay2'], netns: ['reused'] }), equippedHost()),
        ...planCells(matrixWith({ runtime: ['runsc'], cgroup: ['reused'] }), equippedHost()),
      ];
      assert.deepEqual(cells.map((cell) => [cell.id, cell.feasible, cell.skipByDesign]), [
        ['runc.overlay2.ext4.tiny.noop.exec.c1', false, true],
        ['lxd.dir.ext4.tiny.noop.exec.c1', true, undefined],
        ['lxd.dir.ext4.tiny.noop.command.c1', false, true],
        ['docker.overlay2.ext4.tiny.noop.exec.netns-reused.c1', false, true],
        ['runsc.copy.ext4.tiny.noop.exec.cgroup-reused.c1', false, true],
      ]);
      assert.match(cells[2]?.skipReason ?? '', /^life-cycle shape command does not work with runtime lxd: LXD has no way to run a workload as a container's own process/);
      assert.match(cells[3]?.skipReason ?? '', /network namespace reused does not work with runtime docker/);
    });

    it('does not mark a skip by design when installing something would lift it: a missing binary, a missing filesystem', () => {
      const host = without(equippedHost({ kernelFilesystems: ['ext4'] }), 'crun');
      const cells = planCells(matrixWith({ runtime: ['runc', 'crun'], filesystem: ['ext4', 'xfs'] }), host);
      assert.deepEqual(cells.map((cell) => [cell.id, cell.feasible, cell.skipByDesign]), [
        ['runc.copy.ext4.tiny.noop.exec.c1', true, undefined],
        ['runc.copy.xfs.tiny.noop.exec.c1', false, undefined],
        ['crun.copy.ext4.tiny.noop.exec.c1', false, undefined],
        ['crun.copy.xfs.tiny.noop.exec.c1', false, undefined],
      ]);
    });

    it('marks a cell skipped by design even on a host that lacks more, and keeps every reason', () => {
      const [cell] = planCells(matrixWith({ runtime: ['runc'], storageDriver: ['overlay2'] }), without(equippedHost(), 'runc'));
      assert.equal(cell?.skipByDesign, true);
      assert.match(cell?.skipReason ?? '', /storage driver overlay2 does not work with runtime runc/);
      assert.match(cell?.skipReason ?? '', /binary 'runc' not found/);
    });

    it('sets skipReason exactly when a cell is not feasible', () => {
      const host = without(equippedHost({ kernelFilesystems: ['ext4', 'xfs'] }), 'runc');
      for (const cell of planCells(matrixWith({ ...CHAPTER5_AXES, concurrency: [1, 2] }), host)) {
        assert.equal(cell.skipReason === undefined, cell.feasible, cell.id);
      }
    });
  });
});

describe('requiredBinaries()', () => {
  it('lists every binary the feasibility table mentions, sorted, each once', () => {
    const binaries = requiredBinaries();
    assert.deepEqual(binaries, [...new Set(binaries)].sort());
    for (const name of ['losetup', 'mount', 'umount', 'truncate', 'cp', 'tar', 'runc', 'crun', 'nsenter', 'unshare', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'zpool', 'zfs', 'busybox']) {
      assert.ok(binaries.includes(name), name);
    }
  });
});

describe('the feasibility table', () => {
  it('has an entry for every axis value the matrix schema accepts', () => {
    const axisSchemas = schema.definitions.axes.properties;
    for (const axis of AXES) {
      const allowed: unknown[] = 'enum' in axisSchemas[axis].items ? axisSchemas[axis].items.enum : [];
      for (const value of allowed) {
        // An engine+oci runtime needs its engine's entry and its OCI runtime's; a VM's +accelerator its accelerator's.
        const { engine, oci } = axis === 'runtime' ? splitRuntime(String(value)) : { engine: String(value), oci: null };
        assert.ok(engine in AXIS_REQUIREMENTS[axis].values, `${axis} ${String(value)}`);
        if (oci !== null) assert.ok(oci in (VM_ACCELERATORS[engine] !== undefined ? ACCELERATOR_REQUIREMENTS : OCI_REQUIREMENTS), `${axis} ${String(value)}: ${oci}`);
      }
    }
  });

  it('lets each storage driver name only runtimes and filesystems the schema knows', () => {
    const axisSchemas = schema.definitions.axes.properties;
    for (const [driver, rows] of Object.entries(STORAGE_DRIVER_SUPPORT)) {
      assert.ok(axisSchemas.storageDriver.items.enum.includes(driver), driver);
      for (const support of rows) {
        // An engine may be named only with its variants (qemu-microvm as qemu-microvm+tcg, +kvm).
        for (const runtime of support.runtimes) assert.ok(axisSchemas.runtime.items.enum.some((value: string) => splitRuntime(value).engine === runtime), runtime);
        for (const filesystem of support.filesystems) assert.ok(axisSchemas.filesystem.items.enum.includes(filesystem), filesystem);
      }
    }
  });

  it('says what every image offers and every workload needs, for each value the schema accepts', () => {
    for (const image of schema.definitions.axes.properties.image.items.enum as string[]) assert.ok(IMAGE_PROVIDES[image], image);
    for (const workload of schema.definitions.axes.properties.workload.items.enum as string[]) assert.ok(WORKLOAD_NEEDS[workload], workload);
  });

  it('gives every storage driver the schema accepts at least one runtime', () => {
    for (const driver of schema.definitions.axes.properties.storageDriver.items.enum as string[]) {
      assert.ok((STORAGE_DRIVER_SUPPORT[driver] ?? []).some((row) => row.runtimes.length > 0), driver);
    }
  });
});

describe('planCells() with parts', () => {
  it('plans the union of the parts, each expanded on its own, a cell in two parts once', async () => {
    const { matrix } = await loadMatrix(path.resolve(here, '../fixtures/matrices/valid/parts.yaml'));
    const ids = planCells(matrix, equippedHost()).map((cell) => cell.id);
    assert.deepEqual(ids, [
      'runc.copy.ext4.tiny.noop.exec.c1', 'runc.overlay.ext4.tiny.noop.exec.c1', 'crun.copy.ext4.tiny.noop.exec.c1', 'crun.overlay.ext4.tiny.noop.exec.c1',
      'crun.overlay.ext4.grader.grade-python.exec.c1', 'runc.overlay.ext4.grader.grade-python.exec.c1', 'runsc.overlay.ext4.grader.grade-python.exec.c1',
    ]);
  });
});
