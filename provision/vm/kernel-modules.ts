import { CrbenchError } from '../../pipeline/errors.ts';
import { readElfSection } from './elf.ts';

/**
 * The guest kernel's drivers: which are built in, which come as modules, and in what order
 * the modules load. Debian's package holds uncompressed .ko files, modules.order and
 * modules.builtin, but no modules.dep (depmod writes it at install time, and nothing is
 * installed here): the order comes from each module's own `depends=` in its .modinfo section.
 */

/** Module names use `_` where file names may use `-` (the kernel treats them alike). */
export function normaliseModuleName(name: string): string {
  return name.replaceAll('-', '_');
}

/** The `key=value` strings of a module's .modinfo section (each key may repeat: alias=, parm=). */
export function readModinfo(ko: Buffer): Map<string, string[]> {
  const section = readElfSection(ko, '.modinfo');
  if (section === null) throw new CrbenchError('VM_BAD_MODULE', 'not a kernel module: no .modinfo section');
  const info = new Map<string, string[]>();
  for (const entry of section.toString('latin1').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const key = entry.slice(0, equals);
    info.set(key, [...(info.get(key) ?? []), entry.slice(equals + 1)]);
  }
  return info;
}

export interface ModuleFacts {
  name: string;
  depends: string[];
  vermagic: string | null;
}

/** A module's name, its dependencies and the kernel it was built for. */
export function moduleFacts(ko: Buffer, fileName: string): ModuleFacts {
  const info = readModinfo(ko);
  const depends = (info.get('depends')?.[0] ?? '').split(',').filter((name) => name !== '').map(normaliseModuleName);
  const fromFile = normaliseModuleName(fileName.replace(/\.ko(\.\w+)?$/, ''));
  return { name: normaliseModuleName(info.get('name')?.[0] ?? fromFile), depends, vermagic: info.get('vermagic')?.[0] ?? null };
}

/** Module name → path relative to lib/modules/RELEASE, from modules.order (or modules.builtin) lines. */
export function parseModuleList(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n').map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const base = line.slice(line.lastIndexOf('/') + 1);
    paths.set(normaliseModuleName(base.replace(/\.ko(\.\w+)?$/, '')), line);
  }
  return paths;
}

/**
 * The load order of `wanted` and everything they depend on: each module after its
 * dependencies, otherwise in the order asked (a stable depth-first walk). Built-in modules
 * (in `builtIn`) need no loading and are left out; a cycle is an error.
 */
export function orderModules(wanted: readonly string[], dependsOf: (name: string) => readonly string[], builtIn: ReadonlySet<string> = new Set()): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]): void => {
    if (builtIn.has(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new CrbenchError('VM_MODULE_CYCLE', `kernel modules depend on each other in a cycle: ${[...chain, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dependency of dependsOf(name)) visit(dependency, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of wanted.map(normaliseModuleName)) visit(name, []);
  return order;
}
