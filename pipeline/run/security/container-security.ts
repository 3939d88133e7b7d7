import os from 'node:os';
import { convertSeccompProfile, nativeSeccompArch, type OciSeccomp } from './convert-seccomp.ts';
import { DOCKER_DEFAULT_CAPABILITIES, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, NO_NEW_PRIVILEGES, SECCOMP_PROFILE_PATH } from './docker-defaults.ts';
import { loadSeccompProfile } from './load-seccomp-profile.ts';

/** The confinement of one container: what crbench writes into an OCI bundle or an LXC config. */
export interface ContainerSecurity {
  /** The profile file the seccomp filter came from, and the SHA-256 of its bytes. */
  seccompSource: { path: string; sha256: string };
  seccomp: OciSeccomp;
  /** Bounding, effective and permitted set (the ambient set stays empty, as Docker leaves it). */
  capabilities: string[];
  noNewPrivileges: boolean;
  maskedPaths: string[];
  readonlyPaths: string[];
}

const built = new Map<string, ContainerSecurity>();

/**
 * Docker's default confinement for this host: its default seccomp profile converted for the
 * native architecture, the running kernel and Docker's capability set; no_new_privs; Docker's
 * masked and read-only paths. Throws (CrbenchError SECCOMP_PROFILE_MISSING, naming the
 * package) when the profile is not installed. Built once per process and profile path.
 */
export function dockerDefaultSecurity(options: { seccompProfilePath?: string; capabilities?: readonly string[] } = {}): ContainerSecurity {
  const path = options.seccompProfilePath ?? SECCOMP_PROFILE_PATH;
  const capabilities = [...(options.capabilities ?? DOCKER_DEFAULT_CAPABILITIES)];
  const key = JSON.stringify([path, capabilities]);
  const cached = built.get(key);
  if (cached) return cached;
  const loaded = loadSeccompProfile(path);
  const security: ContainerSecurity = {
    seccompSource: { path: loaded.path, sha256: loaded.sha256 },
    seccomp: convertSeccompProfile(loaded.profile, { arch: nativeSeccompArch(), capabilities, kernelRelease: os.release() }),
    capabilities,
    noNewPrivileges: NO_NEW_PRIVILEGES,
    maskedPaths: [...DOCKER_MASKED_PATHS],
    readonlyPaths: [...DOCKER_READONLY_PATHS],
  };
  built.set(key, security);
  return security;
}
