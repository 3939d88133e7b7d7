import type { Workload } from './workload.ts';

export const noop: Workload = {
  name: 'noop',
  argv: ['/bin/true'],
  check: (record) => (record.exitCode === 0 && record.stdout === '' ? null
    : `expected exit 0 and no output, got exit ${record.exitCode} and ${record.stdout.length} bytes`),
};
