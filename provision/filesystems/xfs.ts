import { blockFilesystem } from './block-filesystem.ts';

// ftype=1 is what overlay needs on xfs; reflink=1 makes block-based copy-on-write possible.
export const xfs = blockFilesystem({
  name: 'xfs',
  mkfsArgv: (device) => ['mkfs.xfs', '-q', '-f', '-L', 'crbench', '-n', 'ftype=1', '-m', 'reflink=1', device],
});
