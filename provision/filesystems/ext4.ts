import { blockFilesystem } from './block-filesystem.ts';

// Lazy inode-table and journal initialisation would keep writing in the background after
// mkfs and disturb the first measurements, so both are done up front.
export const ext4 = blockFilesystem({
  name: 'ext4',
  mkfsArgv: (device) => ['mkfs.ext4', '-q', '-F', '-L', 'crbench',
    '-E', 'lazy_itable_init=0,lazy_journal_init=0', device],
});
