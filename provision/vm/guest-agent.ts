/**
 * The guest agent: a busybox sh script that is PID 1 of the microVM and serves commands on a
 * virtio-serial port. It defines the wire protocol; pipeline/run/runtimes/qemu/agent-protocol.ts
 * builds the bytes the host sends and parses what comes back.
 *
 * ```
 *  /init (boot) ── mount /dev /proc /sys ── insmod the modules (boot.conf, in load order)
 *      │ root=initramfs: the archive is the root          │ root=disk: /dev/vda (read-only) + tmpfs
 *      │                                                  │ under overlayfs, switch_root into it
 *      ▼                                                  ▼
 *  serve ── pids cgroup ── open the port ── mode=exec:    greet, then one line = one request
 *                                          mode=command: greet, run CRBENCH_CMD, power off
 * ```
 *
 * Why a shell script and not a static C binary: a round trip of `/bin/true` through a busybox
 * sh loop took 4–6 ms under TCG on a quiet reference host (HOST-NOTES saw 8–9 ms for a
 * virtio-serial port), about 10 ms median with this agent on the loaded shared host; the fork
 * and exec of the workload, emulated, are most of it and a C agent would pay them too. And
 * nothing needs compiling, so the guest carries no build of the host's compiler.
 *
 * Wire format (one line per request, words single-quoted or $'…'-quoted so that `eval set --`
 * restores the argv exactly):
 * - `ping ID` → `crbench-pong ID`
 * - `run ID CWD [NAME=VALUE …] -- ARGV…` → `crbench-out ID`, stdout, `\ncrbench-err ID`, stderr,
 *   `\ncrbench-exit ID CODE`, `crbench-end ID`
 * - `poweroff ID` → `crbench-bye ID`, then the guest reboots, which `-no-reboot` turns into an exit
 *
 * The quirks of a virtio port, seen on this host: its node refuses to open for a moment after
 * the driver binds (ENXIO: retried), allows one open at a time (one fd, 3, for the agent's whole
 * life), and reads EOF while no host client is connected. A write, though, blocks until a client
 * is connected: the agent writes its greeting `crbench-ready` after each EOF, which makes it
 * wait without spinning and tells the next client that it is there. A greeting may therefore
 * precede any answer (or not, when the host reconnected before the guest saw the EOF); the
 * parser skips everything before its frame.
 */

/** The virtio-serial port's name (`-device virtserialport,name=…`), as the guest sees it in sysfs. */
export const AGENT_PORT_NAME = 'crbench.agent';

/** Where the agent keeps its own files in the guest's root: busybox, the script, its config. */
export const AGENT_DIR = '/.crbench';

/** Written after each (re)connection of a host client. */
export const READY_LINE = 'crbench-ready';

/** The markers of an answer; each is followed by a space and the request's id. */
export const AGENT_MARKERS = {
  pong: 'crbench-pong',
  out: 'crbench-out',
  err: 'crbench-err',
  exit: 'crbench-exit',
  end: 'crbench-end',
  bye: 'crbench-bye',
  error: 'crbench-error',
} as const;

/** The agent's verbs, the first word of a request line. */
export type AgentVerb = 'ping' | 'run' | 'poweroff';

/** Environment variables the kernel command line gives PID 1 (names without dots, or the kernel keeps them). */
export const AGENT_ENV = {
  pidsMax: 'CRBENCH_PIDS_MAX',
  mode: 'CRBENCH_MODE',
  /** The request line of the `command` mode, base64-encoded (the kernel command line has no quoting to speak of). */
  command: 'CRBENCH_CMD',
} as const;

/** `exec`: serve requests until asked to power off; `command`: run one request given at boot, then power off. */
export type AgentMode = 'exec' | 'command';

/** How the guest finds its root filesystem. */
export type GuestRoot = { kind: 'initramfs' } | { kind: 'disk'; fsType: string };

/** What /.crbench/boot.conf says: fixed per built archive, unlike the kernel command line's per-VM values. */
export interface AgentBootConfig {
  /** Module names, in load order; loaded from /.crbench/modules/NAME.ko. */
  modules: readonly string[];
  root: GuestRoot;
}

/** The sourced config file of the boot stage: shell assignments of fixed words. */
export function agentBootConf(config: AgentBootConfig): string {
  for (const name of config.modules) {
    if (!/^[\w-]+$/.test(name)) throw new Error(`agentBootConf: module name '${name}' is not a plain word`);
  }
  if (config.root.kind === 'disk' && !/^\w+$/.test(config.root.fsType)) {
    throw new Error(`agentBootConf: filesystem type '${config.root.fsType}' is not a plain word`);
  }
  return [
    '# written by provision/vm/guest-agent.ts',
    `CRBENCH_MODULES='${config.modules.join(' ')}'`,
    `CRBENCH_ROOT='${config.root.kind}'`,
    `CRBENCH_DISK_FS='${config.root.kind === 'disk' ? config.root.fsType : ''}'`,
    '',
  ].join('\n');
}

/** Names the script's revision in its header; the archives' cache keys hash the script itself. */
export const AGENT_VERSION = 'agent-2';

/**
 * The agent script, installed as /init (and, on a disk root, copied to /.crbench/agent). It
 * runs under the busybox at /.crbench/busybox, whatever the image has, and calls every tool by
 * that path: the workload's PATH and tools stay the image's own.
 */
export function guestAgentScript(): string {
  const m = AGENT_MARKERS;
  return `#!${AGENT_DIR}/busybox sh
# The crbench guest agent (${AGENT_VERSION}), PID 1 of a microVM. Written by provision/vm/guest-agent.ts.
bb=${AGENT_DIR}/busybox
dir=${AGENT_DIR}
# The unit tests source the functions on the host (set -- library), with a busybox and a folder of their own.
if [ "$1" = library ]; then bb=\${CRBENCH_AGENT_BUSYBOX:-busybox} dir=\${CRBENCH_AGENT_DIR:?}; fi

say() { if [ "$$" -eq 1 ]; then echo "crbench-agent: $*" >/dev/console; else echo "crbench-agent: $*" >&2; fi; }
# Only a guest's PID 1 mounts, loads modules or reboots: run anywhere else, the script refuses.
pid1() { [ "$$" -eq 1 ] || { echo "crbench-agent: not PID 1, refusing to $1" >&2; return 1; }; }
power_off() { pid1 "power off" || return 1; $bb sync; $bb reboot -f; $bb sleep 5; }
# A guest that cannot serve powers off, so that QEMU exits instead of hanging the phase.
die() { say "$*"; power_off; exit 1; }
retry() { tries=$((tries + 1)); [ "$tries" -le 500 ] || die "$1"; $bb sleep 0.01; }

boot() {
  $bb mkdir -p /dev /proc /sys
  $bb mount -t devtmpfs dev /dev
  $bb mount -t proc proc /proc
  $bb mount -t sysfs sys /sys
  . $dir/boot.conf
  for module in $CRBENCH_MODULES; do
    $bb insmod $dir/modules/$module.ko || die "insmod $module failed"
  done
  # The modules are loaded: their files would only take the guest's RAM.
  $bb rm -rf $dir/modules
  case $CRBENCH_ROOT in
    initramfs)
      exec $bb env -i $bb sh /init serve "$${AGENT_ENV.pidsMax}" "$${AGENT_ENV.mode}" "$${AGENT_ENV.command}" ;;
    disk)
      mount_disk
      exec $bb switch_root $dir/root $bb env -i $bb sh $dir/agent serve "$${AGENT_ENV.pidsMax}" "$${AGENT_ENV.mode}" "$${AGENT_ENV.command}" ;;
    *) die "unknown root '$CRBENCH_ROOT' in boot.conf" ;;
  esac
}

# The image read-only on /dev/vda, writes in a tmpfs above it: copy-on-write inside the guest.
mount_disk() {
  tries=0
  until [ -b /dev/vda ]; do retry "no /dev/vda"; done
  $bb mkdir -p $dir/lower $dir/rw $dir/root
  $bb mount -t "$CRBENCH_DISK_FS" -o ro /dev/vda $dir/lower || die "mount of /dev/vda ($CRBENCH_DISK_FS) failed"
  $bb mount -t tmpfs -o mode=0755 crbench-rw $dir/rw || die "tmpfs mount failed"
  $bb mkdir $dir/rw/upper $dir/rw/work
  $bb mount -t overlay -o lowerdir=$dir/lower,upperdir=$dir/rw/upper,workdir=$dir/rw/work crbench-root $dir/root || die "overlay mount failed"
  $bb mkdir -p $dir/root$dir $dir/root/dev $dir/root/proc $dir/root/sys
  $bb cp $bb $dir/root$dir/busybox && $bb cp /init $dir/root$dir/agent || die "copying the agent failed"
  for mountpoint in dev proc sys; do $bb mount --move /$mountpoint $dir/root/$mountpoint; done
}

# The workload's processes go to a cgroup of their own; the agent stays outside, so a fork bomb cannot starve it.
limit_pids() {
  cgroup=
  [ -n "$1" ] || return 0
  # favordynmods (Linux 6.0+) makes moving a process cheap: without it the move into the cgroup
  # waits for an RCU grace period (a subshell exec of /bin/true took 4 ms, 10 ms with the move).
  $bb mount -t cgroup2 -o favordynmods cgroup2 /sys/fs/cgroup 2>/dev/null || $bb mount -t cgroup2 cgroup2 /sys/fs/cgroup || die "cgroup2 mount failed"
  echo +pids >/sys/fs/cgroup/cgroup.subtree_control || die "no pids controller"
  $bb mkdir /sys/fs/cgroup/workload && echo "$1" >/sys/fs/cgroup/workload/pids.max || die "pids.max failed"
  cgroup=/sys/fs/cgroup/workload/cgroup.procs
}

open_port() {
  tries=0
  port=
  while [ -z "$port" ]; do
    for entry in /sys/class/virtio-ports/*; do
      [ -r "$entry/name" ] && read -r name <"$entry/name" && [ "$name" = ${AGENT_PORT_NAME} ] && port=/dev/\${entry##*/}
    done
    [ -n "$port" ] || retry "no virtio port named ${AGENT_PORT_NAME}"
  done
  until command exec 3<>"$port"; do retry "cannot open $port"; done 2>/dev/null
}

# Blocks until a host client is connected (a write to a virtio port waits for one).
greet() { echo ${READY_LINE} >&3 || $bb sleep 0.01; }

run_request() {
  id=$1 cwd=$2
  shift 2
  printf '${m.out} %s\\n' "$id" >&3
  (
    [ -z "$cgroup" ] || echo 0 >"$cgroup"
    cd "$cwd" || exit 126
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do export "$1"; shift; done
    shift
    exec "$@"
  ) >&3 2>$dir/stderr </dev/null 3>&-
  code=$?
  printf '\\n${m.err} %s\\n' "$id" >&3
  [ -s $dir/stderr ] && $bb cat $dir/stderr >&3
  printf '\\n${m.exit} %s %s\\n${m.end} %s\\n' "$id" "$code" "$id" >&3
}

handle() {
  # "command" keeps a syntax error in the line from ending the shell, which is PID 1.
  if ! command eval "set -- $1" 2>/dev/null || [ "$#" -lt 2 ]; then
    echo "${m.error} - malformed request" >&3
    return
  fi
  verb=$1 id=$2
  shift 2
  case $verb in
    ping) echo "${m.pong} $id" >&3 ;;
    run) run_request "$id" "$@" ;;
    poweroff) echo "${m.bye} $id" >&3; power_off ;;
    *) echo "${m.error} $id unknown verb $verb" >&3 ;;
  esac
}

serve() {
  limit_pids "$1"
  open_port
  if [ "$2" = command ]; then
    greet
    handle "$(echo "$3" | $bb base64 -d)"
    power_off
  fi
  while :; do
    greet
    while read -r line <&3; do handle "$line"; done
  done
}

case $1 in
  library) ;;
  serve) pid1 serve && { shift; serve "$@"; } ;;
  *) pid1 boot && boot ;;
esac
[ "$1" = library ] || die "the agent fell through"
`;
}
