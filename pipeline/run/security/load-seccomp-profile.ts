import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CrbenchError } from '../../errors.ts';
import type { DockerSeccompProfile } from './convert-seccomp.ts';
import { SECCOMP_PROFILE_PACKAGES, SECCOMP_PROFILE_PATH } from './docker-defaults.ts';

/** A seccomp profile as read from disk: parsed, with where it came from and the hash of its bytes. */
export interface LoadedSeccompProfile {
  path: string;
  sha256: string;
  profile: DockerSeccompProfile;
}

const loaded = new Map<string, LoadedSeccompProfile>();

/**
 * Reads a Docker-format seccomp profile (Docker's default, from containers-common, unless
 * told otherwise). A missing file is an error naming the package to install: crbench never
 * runs a container with less confinement than the others get. Read once per path and process.
 */
export function loadSeccompProfile(path: string = SECCOMP_PROFILE_PATH): LoadedSeccompProfile {
  const cached = loaded.get(path);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CrbenchError(missing ? 'SECCOMP_PROFILE_MISSING' : 'SECCOMP_PROFILE_UNREADABLE',
      missing
        ? `Docker's default seccomp profile is not at ${path}: install it with \`apt-get install ${SECCOMP_PROFILE_PACKAGES[0]}\` ` +
          `(Debian 12's package is ${SECCOMP_PROFILE_PACKAGES[1]}; podman pulls it in). crbench does not run containers without it.`
        : `cannot read the seccomp profile ${path}: ${(error as Error).message}`,
      { exitCode: 2, cause: error });
  }
  let profile: DockerSeccompProfile;
  try {
    profile = JSON.parse(bytes.toString('utf8')) as DockerSeccompProfile;
  } catch (error) {
    throw new CrbenchError('SECCOMP_PROFILE_INVALID', `the seccomp profile ${path} is not JSON: ${(error as Error).message}`, { exitCode: 2, cause: error });
  }
  if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string') {
    throw new CrbenchError('SECCOMP_PROFILE_INVALID', `the seccomp profile ${path} has no defaultAction: is it in Docker's format?`, { exitCode: 2 });
  }
  const result = { path, sha256: createHash('sha256').update(bytes).digest('hex'), profile };
  loaded.set(path, result);
  return result;
}
