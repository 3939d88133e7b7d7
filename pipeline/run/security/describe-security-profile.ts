import { readFileSync } from 'node:fs';
import { dockerDefaultSecurity } from './container-security.ts';
import { countSeccompRules } from './convert-seccomp.ts';
import { capabilityMask } from './docker-defaults.ts';
import { RUNSC_SECURITY_FLAGS } from './runtime-options.ts';
import { buildLxcSecurity } from './lxc-security.ts';
import type { RuntimeSecurity, SecurityProfileRecord } from '../../types.ts';

/** How one runtime's containers get the profile, and what of it they do not get. */
export type { RuntimeSecurity, SecurityProfileRecord } from '../../types.ts';

/** Whether the kernel has AppArmor enabled (/sys/module/apparmor/parameters/enabled is Y). */
export function apparmorEnabled(readFile = (file: string) => readFileSync(file, 'utf8')): boolean {
  try {
    return readFile('/sys/module/apparmor/parameters/enabled').trim() === 'Y';
  } catch {
    return false;
  }
}

/**
 * Compared on the reference host (amd64, Docker's 14 capabilities): containers-common
 * 0.50.1's file against moby v20.10.24's built-in default.json, both converted the same way.
 */
const SECCOMP_NOTE = 'Docker\'s policy as Podman ships it (containers-common), given to every runtime, Docker included, so that ' +
  'all run one file; Docker 20.10\'s built-in profile differs from it in 39 system calls: 32 the file allows and Docker\'s does ' +
  'not (mount, umount2, unshare, setns, keyctl, pivot_root, reboot, syslog, clone3, process_vm_readv/writev…; measured: ' +
  '`unshare -U` fails with EPERM under Docker\'s built-in profile and succeeds under the file) and 7 Docker\'s allows and the ' +
  'file does not (io_uring_setup, io_uring_enter, io_uring_register, io_pgetevents, vmsplice…)';

const OCI_BUNDLE = 'the bundle\'s config.json (pipeline/run/oci-config.ts): linux.seccomp, process.capabilities, ' +
  'process.noNewPrivileges, linux.maskedPaths and readonlyPaths; the exec\'d workload gets the same';

/**
 * What the manifest records about the confinement of the compared containers: Docker's
 * default seccomp profile (its file and hash, what the filter built from it for this host
 * allows), Docker's capabilities with the CapEff mask they give, no_new_privs, the masked and
 * read-only paths, AppArmor, and per runtime how crbench applies it there and where it falls
 * short. `runtimes` keeps those named (all known ones by default). Throws
 * (SECCOMP_PROFILE_MISSING) when the profile is not installed.
 *
 * The runtime entries are the contract with the adapters: runc and crun take the bundle;
 * runsc needs RUNSC_SECURITY_FLAGS among its global flags; docker needs dockerSecurityOpt()
 * in HostConfig.SecurityOpt, docker-cli dockerCliSecurityArgs(), podman podmanSecurityArgs();
 * lxc needs buildLxcConfig's `security` (writeLxcSecurity); lxd keeps its own. The
 * probe-security workload measures what each really got.
 */
export function describeSecurityProfile(options: { runtimes?: readonly string[]; apparmor?: boolean } = {}): SecurityProfileRecord {
  const security = dockerDefaultSecurity();
  const counts = countSeccompRules(security.seccomp);
  const apparmor = options.apparmor ?? apparmorEnabled();
  const lxc = buildLxcSecurity(security, '<setup dir>/seccomp-docker-default.policy');
  const apparmorGap = apparmor ? ['AppArmor is enabled: Docker and Podman add their AppArmor profile, which the OCI bundles and LXC\'s config here do not'] : [];
  const all: Record<string, RuntimeSecurity> = {
    runc: { profile: 'docker-default', how: `${OCI_BUNDLE}; runc compiles the filter with libseccomp`, gaps: [...apparmorGap] },
    crun: {
      profile: 'docker-default',
      how: `${OCI_BUNDLE}, except that crun 1.8.1's exec ignores process.noNewPrivileges: \`crun exec --no-new-privs\` ` +
        '(OCI_EXEC_SECURITY_FLAGS) sets it for the workload; crun compiles the filter with libseccomp',
      gaps: [...apparmorGap],
    },
    runsc: {
      profile: 'docker-default',
      how: `${OCI_BUNDLE}, with the global flags --oci-seccomp (else runsc ignores linux.seccomp) and --net-raw (else gVisor drops ` +
        'CAP_NET_RAW); gVisor\'s Sentry enforces the filter and the capabilities in its user-space kernel, and itself runs under ' +
        'gVisor\'s own host seccomp filter, so no system call of the container reaches the host kernel directly',
      gaps: [
        'runsc 2022-12-19 installs the OCI seccomp filter for the container\'s init and its descendants only: a process started ' +
          'by `runsc exec` runs unfiltered (measured: Seccomp 0 for an exec\'d process, 2 for the init), so in the exec life ' +
          'cycle the workload is not filtered; in the command life cycle it is the init, and is',
        'gVisor\'s /proc/self/status has no NoNewPrivs line: no_new_privs is asked for but cannot be checked from inside',
        'gVisor\'s /proc and /sys are its own: of the masked and read-only paths only /proc/sys and /sys/firmware exist there',
        ...apparmorGap,
      ],
    },
    docker: {
      profile: 'docker-default',
      how: 'the Engine API\'s HostConfig.SecurityOpt: seccomp=<the same profile file, as JSON> and no-new-privileges ' +
        '(dockerSecurityOpt()); capabilities, masked and read-only paths are Docker\'s own defaults, the same',
      gaps: [
        'Docker 20.10 ignores the profile\'s defaultErrnoRet: a system call the profile does not name fails with EPERM instead of ENOSYS',
        ...(apparmor ? ['AppArmor is enabled: Docker adds docker-default'] : []),
      ],
    },
    'docker-cli': {
      profile: 'docker-default',
      how: '`docker run --security-opt seccomp=<the profile file> --security-opt no-new-privileges` (dockerCliSecurityArgs()); the rest are Docker\'s defaults',
      gaps: ['Docker 20.10 ignores the profile\'s defaultErrnoRet (EPERM instead of ENOSYS for a system call it does not name)', ...(apparmor ? ['AppArmor is enabled: Docker adds docker-default'] : [])],
    },
    podman: {
      profile: 'docker-default',
      how: 'Podman\'s default seccomp profile is this file; podmanSecurityArgs() adds no-new-privileges and replaces Podman 4.3\'s ' +
        'default capabilities (which lack CAP_MKNOD, CAP_NET_RAW and CAP_AUDIT_WRITE) with Docker\'s: --cap-drop all --cap-add …',
      gaps: apparmor ? ['AppArmor is enabled: Podman adds containers-default'] : [],
    },
    lxc: {
      profile: 'docker-default',
      how: `LXC's own configuration keys (buildLxcConfig with security): ${lxc.notes.join('; ')}`,
      gaps: [
        ...lxc.seccompPolicy.dropped.map((rule) => `lxc: seccomp rule not expressible, left out: ${rule}`),
        'LXC runs privileged here (no user namespace), as the OCI runtimes do',
        ...apparmorGap,
      ],
    },
    lxd: {
      profile: 'own',
      how: 'LXD\'s defaults, unchanged: an unprivileged container (a user namespace mapping its uid 0 to a high host uid), ' +
        'LXD\'s seccomp denylist in LXC\'s v2 format (kexec_load, open_by_handle_at, init_module, finit_module, delete_module ' +
        'and forced umounts refused; measured Seccomp 2), every capability inside its user namespace (measured CapEff ' +
        '000001ffffffffff) and no no_new_privs (measured 0)',
      gaps: ['not Docker\'s profile: a denylist of a few system calls instead of Docker\'s allowlist, all capabilities instead of ' +
        'Docker\'s 14 and no no_new_privs, but held in a user namespace, so that root in the container is not root on the host'],
    },
  };
  const names = options.runtimes ?? Object.keys(all);
  const runtimes = Object.fromEntries(names.flatMap((name) => {
    const entry = runtimeEntry(all, name);
    return entry ? [[name, entry]] : [];
  }));
  return {
    seccompSource: security.seccompSource.path,
    seccompSha256: security.seccompSource.sha256,
    seccompNote: SECCOMP_NOTE,
    defaultAction: security.seccomp.defaultAction,
    defaultErrnoRet: security.seccomp.defaultErrnoRet ?? null,
    architectures: security.seccomp.architectures ?? [],
    syscallsAllowed: counts.syscallsAllowed,
    syscallsAllowedConditionally: counts.syscallsAllowedConditionally,
    syscallsDenied: counts.syscallsDenied,
    capabilities: [...security.capabilities],
    capEff: capabilityMask(security.capabilities),
    noNewPrivileges: security.noNewPrivileges,
    maskedPaths: [...security.maskedPaths],
    readonlyPaths: [...security.readonlyPaths],
    apparmor: { enabled: apparmor, dockerDefaultApplies: apparmor },
    runtimes,
  };
}

/**
 * The entry of a runtime value: its own, or for an engine with an OCI runtime behind it
 * (`docker+runsc`, as INGInious's `runtime=` chooses) the engine's, with what the OCI runtime
 * changes: runsc needs its flags as the daemon's runtimeArgs there, and brings its gaps.
 */
function runtimeEntry(all: Readonly<Record<string, RuntimeSecurity>>, name: string): RuntimeSecurity | undefined {
  if (all[name]) return all[name];
  const plus = name.indexOf('+');
  if (plus < 0) return undefined;
  const engine = all[name.slice(0, plus)];
  const oci = name.slice(plus + 1);
  if (engine === undefined) return undefined;
  if (oci !== 'runsc') return { ...engine, how: `${engine.how}; ${oci} runs the container from the engine's bundle` };
  return {
    ...engine,
    how: `${engine.how}; runsc runs the container, registered with runtimeArgs ${RUNSC_FLAGS_TEXT} so that it applies the bundle's filter and keeps CAP_NET_RAW`,
    gaps: [...engine.gaps, ...(all['runsc']?.gaps ?? [])],
  };
}

const RUNSC_FLAGS_TEXT = RUNSC_SECURITY_FLAGS.join(' ');
