/**
 * The confinement every compared container gets: Docker's default profile (seccomp,
 * capabilities, no_new_privs, masked and read-only paths), how each runtime is given it, and
 * what the manifest records about it.
 */
export { dockerDefaultSecurity, type ContainerSecurity } from './container-security.ts';
export { convertSeccompProfile, countSeccompRules, kernelAtLeast, nativeSeccompArch, type DockerSeccompProfile, type OciSeccomp } from './convert-seccomp.ts';
export { describeSecurityProfile, type RuntimeSecurity, type SecurityProfileRecord } from './describe-security-profile.ts';
export {
  capabilityMask, capabilityNames, DOCKER_DEFAULT_CAPABILITIES, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, SECCOMP_PROFILE_PATH,
} from './docker-defaults.ts';
export { dockerCliSecurityArgs, dockerSecurityOpt, OCI_EXEC_SECURITY_FLAGS, podmanSecurityArgs, RUNSC_SECURITY_FLAGS } from './runtime-options.ts';
export { loadSeccompProfile } from './load-seccomp-profile.ts';
export { buildLxcSecurity, writeLxcSecurity, type LxcSecurity } from './lxc-security.ts';
