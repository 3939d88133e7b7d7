import { ociRuntime } from './oci-runtime.ts';

export const runc = ociRuntime({ name: 'runc', binary: 'runc' });
