/**
 * How strongly a runtime separates a container from the host: the one axis a grading
 * platform may not trade for speed without deciding to. Ordered from weakest to strongest.
 */
export const ISOLATION_CLASSES = ['container', 'user-space kernel', 'virtual machine'] as const;
export type IsolationClass = (typeof ISOLATION_CLASSES)[number];

const CLASS_OF_RUNTIME: Record<string, IsolationClass> = {
  // Namespaces and cgroups on the host's kernel.
  runc: 'container',
  crun: 'container',
  docker: 'container',
  'docker-cli': 'container',
  podman: 'container',
  lxc: 'container',
  lxd: 'container',
  // gVisor: system calls answered by a kernel in user space.
  runsc: 'user-space kernel',
  // A guest kernel behind hardware virtualisation.
  kata: 'virtual machine',
  firecracker: 'virtual machine',
  'qemu-microvm': 'virtual machine',
};

/** A runtime's isolation class; a runtime crbench does not know is assumed a plain container. */
export function isolationClassOf(runtime: string): IsolationClass {
  return CLASS_OF_RUNTIME[runtime] ?? 'container';
}

/** What each class means, for the chapter. */
export const ISOLATION_CLASS_MEANING: Record<IsolationClass, string> = {
  container: 'namespaces and cgroups on the host kernel',
  'user-space kernel': 'system calls served by a kernel running in user space (gVisor)',
  'virtual machine': 'a guest kernel behind hardware virtualisation',
};
