import { blockFilesystem } from './block-filesystem.ts';

export const btrfs = blockFilesystem({
  name: 'btrfs',
  mkfsArgv: (device) => ['mkfs.btrfs', '-q', '-f', '-L', 'crbench', device],
});
