import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../pipeline/errors.ts';

/**
 * The Debian mirror the host's apt already uses, read from its sources: the one-line
 * format of `/etc/apt/sources.list` and `sources.list.d/*.list`, and the deb822 format of
 * `sources.list.d/*.sources` (Debian 12's default, `debian.sources`). Files are read in
 * apt's order: sources.list, then the parts folder sorted by name.
 */

/** One source of one file, in either format. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
  /** Where it came from, for messages. */
  file: string;
}

/** `deb [arch=amd64 signed-by=…] http://deb.debian.org/debian bookworm main` lines; comments and blanks ignored. */
export function parseOneLineSources(text: string, file = 'sources.list'): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    // Options sit in brackets and may contain spaces: take them out before splitting.
    const withoutOptions = line.replace(/\[[^\]]*\]/, ' ');
    const [type, uri, suite, ...components] = withoutOptions.split(/\s+/).filter((token) => token !== '');
    if (type === undefined || uri === undefined || suite === undefined) continue;
    sources.push({ types: [type], uris: [uri], suites: [suite], components, enabled: true, file });
  }
  return sources;
}

/**
 * deb822 stanzas (`Types:`, `URIs:`, `Suites:`, `Components:`, `Enabled:`) separated by
 * blank lines; field names are case-insensitive, `#` lines are comments, lines starting
 * with a space continue the previous field (an inline `Signed-By` key, say).
 */
export function parseDeb822Sources(text: string, file = 'debian.sources'): AptSource[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastField: string | undefined;
  for (const line of [...text.split('\n'), '']) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      lastField = undefined;
    } else if (/^\s/.test(line)) {
      if (lastField !== undefined) current.set(lastField, `${current.get(lastField) ?? ''}\n${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      lastField = line.slice(0, colon).trim().toLowerCase();
      current.set(lastField, line.slice(colon + 1).trim());
    }
  }
  const words = (value: string | undefined) => (value ?? '').split(/\s+/).filter((word) => word !== '');
  return stanzas.map((stanza) => ({
    types: words(stanza.get('types')),
    uris: words(stanza.get('uris')),
    suites: words(stanza.get('suites')),
    components: words(stanza.get('components')),
    enabled: (stanza.get('enabled') ?? 'yes').toLowerCase() !== 'no',
    file,
  }));
}

/** Reads every source file apt reads, in apt's order. */
export function readAptSources(etcApt = '/etc/apt'): AptSource[] {
  const sources: AptSource[] = [];
  const main = path.join(etcApt, 'sources.list');
  if (existsSync(main)) sources.push(...parseOneLineSources(readFileSync(main, 'utf8'), main));
  const partsDir = path.join(etcApt, 'sources.list.d');
  const parts = existsSync(partsDir) ? readdirSync(partsDir).sort() : [];
  for (const name of parts) {
    const file = path.join(partsDir, name);
    if (name.endsWith('.list')) sources.push(...parseOneLineSources(readFileSync(file, 'utf8'), file));
    else if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(readFileSync(file, 'utf8'), file));
  }
  return sources;
}

/** URI schemes debootstrap can fetch from (not apt's `mirror+`, `cdrom:` or `tor+`). */
const DEBOOTSTRAP_SCHEMES = /^(https?|file):/;

/**
 * The first enabled binary (`deb`) source that serves `suite` with its `main` component,
 * without a trailing slash (so that the same mirror gives the same cache key); undefined
 * when there is none.
 */
export function pickMirror(sources: AptSource[], suite: string): string | undefined {
  for (const source of sources) {
    if (!source.enabled || !source.types.includes('deb') || !source.suites.includes(suite) || !source.components.includes('main')) continue;
    const uri = source.uris.find((candidate) => DEBOOTSTRAP_SCHEMES.test(candidate));
    if (uri !== undefined) return uri.replace(/\/+$/, '');
  }
  return undefined;
}

/**
 * The mirror to debootstrap `suite` from: `CRBENCH_DEBIAN_MIRROR` if set, else the host's
 * apt sources. Fails with what to add when neither names one.
 */
export function findDebianMirror(suite: string, options: { etcApt?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const override = (options.env ?? process.env)['CRBENCH_DEBIAN_MIRROR'];
  if (override !== undefined && override !== '') return override.replace(/\/+$/, '');
  const etcApt = options.etcApt ?? '/etc/apt';
  const mirror = pickMirror(readAptSources(etcApt), suite);
  if (mirror === undefined) {
    throw new CrbenchError('NO_DEBIAN_MIRROR',
      `the grader image is built by debootstrap from a Debian mirror, but no enabled 'deb' source for ${suite} (component main) ` +
      `was found in ${etcApt}/sources.list or ${etcApt}/sources.list.d/*.list|*.sources; add one ` +
      `(e.g. 'deb http://deb.debian.org/debian ${suite} main'), or set CRBENCH_DEBIAN_MIRROR to a mirror's URL`);
  }
  return mirror;
}
