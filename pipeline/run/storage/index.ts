import { copy } from './copy.ts';
import type { StorageDriver } from './storage-driver.ts';

/** Every storage driver the pipeline prepares itself; a new one is one file plus one line here. */
export const STORAGE_DRIVERS: Readonly<Record<string, StorageDriver>> = { copy };

export type { StorageDriver } from './storage-driver.ts';
