import { readFileSync } from 'node:fs';
import { dockerDefaultSecurity, type ContainerSecurity } from './container-security.ts';

/**
 * runsc's global flags that make gVisor apply the bundle's confinement as runc does:
 * - `--oci-seccomp`: without it runsc ignores `linux.seccomp` (its Sentry would run the
 *   container's system calls unfiltered, under gVisor's own host filter only);
 * - `--net-raw`: without it runsc removes CAP_NET_RAW from the container's capabilities,
 *   one of Docker's defaults (measured CapEff 00000000a80405fb instead of …a80425fb).
 * Seen in `runsc flags` of runsc 0.0~20221219 (Debian 12).
 */
export const RUNSC_SECURITY_FLAGS = ['--oci-seccomp', '--net-raw'] as const;

/**
 * Flags an OCI runtime's `exec` needs for the exec'd process to be confined as the bundle
 * says, by runtime: crun 1.8.1's exec ignores process.noNewPrivileges of the config (measured
 * NoNewPrivs 0 without the flag, 1 with it), runc's inherits it; runsc's has no such flag.
 * Insert between `exec` and the container id.
 */
export const OCI_EXEC_SECURITY_FLAGS: Readonly<Record<string, readonly string[]>> = { runc: [], crun: ['--no-new-privs'], runsc: [] };

/**
 * Docker's HostConfig.SecurityOpt for the Engine API (POST /containers/create): the seccomp
 * profile crbench gives every runtime, as JSON text (the API takes the profile itself, not a
 * path), and no_new_privs. Without them Docker 20.10 applies its built-in profile, which
 * differs from the containers-common file in 39 system calls (see SECCOMP_NOTE in
 * describe-security-profile.ts), and no no_new_privs. Docker 20.10 takes the file as it is
 * (measured: Seccomp 2, NoNewPrivs 1, CapEff 00000000a80425fb, through the API and the CLI).
 * Docker's default capabilities and masked and read-only paths are already crbench's.
 */
export function dockerSecurityOpt(security: ContainerSecurity = dockerDefaultSecurity()): string[] {
  return [`seccomp=${readFileSync(security.seccompSource.path, 'utf8')}`, 'no-new-privileges'];
}

/** The same for the docker command line (docker-cli), which reads the profile from its path. */
export function dockerCliSecurityArgs(security: ContainerSecurity = dockerDefaultSecurity()): string[] {
  return ['--security-opt', `seccomp=${security.seccompSource.path}`, '--security-opt', 'no-new-privileges'];
}

/**
 * Podman's flags for the same confinement. Podman reads this seccomp file by default, but
 * Podman 4.3's default capabilities (containers.conf) lack three of Docker's: CAP_MKNOD,
 * CAP_NET_RAW and CAP_AUDIT_WRITE. Dropping all and adding Docker's set makes it exact
 * whatever containers.conf says.
 */
export function podmanSecurityArgs(security: ContainerSecurity = dockerDefaultSecurity()): string[] {
  return [
    '--security-opt', `seccomp=${security.seccompSource.path}`, '--security-opt', 'no-new-privileges',
    '--cap-drop', 'all', '--cap-add', security.capabilities.join(','),
  ];
}
