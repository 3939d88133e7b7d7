import { expectOutput } from './expect-output.ts';
import type { Workload } from './workload.ts';

export const WRITE_MIB = 64;
const WRITE_FILE = '/tmp/crbench-write';

/**
 * Writes and fsyncs WRITE_MIB MiB in the container's root filesystem: /tmp, which the
 * OCI config (pipeline/run/oci-config.ts) and docker/podman leave on the root. The script
 * checks that by comparing device numbers, and names /tmp's filesystem type when it is not.
 * Every tool is the image's /bin/busybox, as in the cpu workload: the same binary in every
 * image, and one that uses the plain system calls (GNU stat's statx printed an empty size
 * under gVisor).
 */
export const WRITE_SCRIPT = [
  'set -e',
  `/bin/busybox dd if=/dev/zero of=${WRITE_FILE} bs=1M count=${WRITE_MIB} conv=fsync 2>/dev/null`,
  'if [ "$(/bin/busybox stat -c %d /tmp)" = "$(/bin/busybox stat -c %d /)" ]; then where=rootfs; else where="$(/bin/busybox stat -f -c %T /tmp)"; fi',
  `echo "wrote $(/bin/busybox stat -c %s ${WRITE_FILE}) bytes on $where"`,
].join('\n');

export const write: Workload = {
  name: 'write',
  argv: ['/bin/sh', '-c', WRITE_SCRIPT],
  check: (record) => expectOutput(record, `wrote ${WRITE_MIB * 1024 * 1024} bytes on rootfs\n`),
};
