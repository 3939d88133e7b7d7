import { readFileSync } from 'node:fs';

export interface MountEntry {
  source: string;
  mountpoint: string;
  type: string;
  options: string[];
}

/** /proc/mounts escapes spaces and the like as octal; undo it so paths compare equal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [source = '', mountpoint = '', type = '', options = ''] = line.split(' ');
    return { source: unescapeMountField(source), mountpoint: unescapeMountField(mountpoint), type, options: options.split(',') };
  });
}

export function readMounts(): MountEntry[] {
  return parseMounts(readFileSync('/proc/mounts', 'utf8'));
}

export function findMount(mountpoint: string): MountEntry | undefined {
  return readMounts().findLast((entry) => entry.mountpoint === mountpoint);
}
