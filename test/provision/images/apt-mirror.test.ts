import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDebianMirror, parseDeb822Sources, parseOneLineSources, pickMirror, readAptSources } from '../../../provision/images/apt-mirror.ts';
import { CrbenchError } from '../../../pipeline/errors.ts';

/** Debian 12's default /etc/apt/sources.list.d/debian.sources, as on the CI host. */
const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('parseOneLineSources()', () => {
  it('reads type, URI, suite and components, skipping comments, blanks and bracketed options', () => {
    const sources = parseOneLineSources([
      '# deb http://commented.example/debian bookworm main',
      '',
      'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.be.debian.org/debian/ bookworm main contrib # trailing',
      'deb-src http://deb.debian.org/debian bookworm main',
      'deb [ trusted=yes ] https://mirror.example/debian bookworm-updates main',
    ].join('\n'));
    assert.deepEqual(sources.map((source) => [source.types[0], source.uris[0], source.suites[0], source.components]), [
      ['deb', 'http://ftp.be.debian.org/debian/', 'bookworm', ['main', 'contrib']],
      ['deb-src', 'http://deb.debian.org/debian', 'bookworm', ['main']],
      ['deb', 'https://mirror.example/debian', 'bookworm-updates', ['main']],
    ]);
  });
});

describe('parseDeb822Sources()', () => {
  it("reads Debian 12's debian.sources: one stanza per blank-line-separated paragraph, comments skipped", () => {
    const sources = parseDeb822Sources(DEBIAN_SOURCES);
    assert.equal(sources.length, 2);
    assert.deepEqual(sources[0], {
      types: ['deb'], uris: ['http://deb.debian.org/debian'], suites: ['bookworm', 'bookworm-updates'], components: ['main'],
      enabled: true, file: 'debian.sources',
    });
  });

  it('takes field names in any case, several values, continuation lines and Enabled: no', () => {
    const [source] = parseDeb822Sources([
      'types: deb deb-src',
      'URIS: http://a.example/debian http://b.example/debian',
      'Suites: bookworm',
      'Components: main non-free-firmware',
      'Enabled: no',
      'Signed-By:',
      ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
      ' .',
      ' mQINBF...',
    ].join('\n'));
    assert.deepEqual(source?.types, ['deb', 'deb-src']);
    assert.deepEqual(source?.uris, ['http://a.example/debian', 'http://b.example/debian']);
    assert.deepEqual(source?.components, ['main', 'non-free-firmware']);
    assert.equal(source?.enabled, false);
  });
});

describe('pickMirror()', () => {
  it('takes the first enabled deb source of the suite with main, without its trailing slash', () => {
    const sources = [
      ...parseDeb822Sources('Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n'),
      ...parseOneLineSources('deb-src http://src.example/debian bookworm main\ndeb http://contrib.example/debian bookworm contrib\ndeb cdrom:[Debian 12]/ bookworm main'),
      ...parseDeb822Sources('Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n'),
      ...parseOneLineSources('deb http://ftp.be.debian.org/debian/ bookworm main\ndeb http://later.example/debian bookworm main'),
    ];
    assert.equal(pickMirror(sources, 'bookworm'), 'http://ftp.be.debian.org/debian');
  });

  it('does not take bookworm-security for bookworm, and says undefined when nothing matches', () => {
    const sources = parseDeb822Sources(DEBIAN_SOURCES);
    assert.equal(pickMirror(sources.slice(1), 'bookworm'), undefined);
    assert.equal(pickMirror(sources, 'bookworm'), 'http://deb.debian.org/debian');
  });
});

describe('findDebianMirror()', () => {
  let etcApt: string;

  beforeEach(() => {
    etcApt = mkdtempSync(path.join(os.tmpdir(), 'crbench-apt-'));
    mkdirSync(path.join(etcApt, 'sources.list.d'));
  });
  afterEach(() => rmSync(etcApt, { recursive: true, force: true }));

  it('reads sources.list first, then the parts folder in name order, ignoring other file names', () => {
    writeFileSync(path.join(etcApt, 'sources.list.d', 'b.list'), 'deb http://b.example/debian bookworm main\n');
    writeFileSync(path.join(etcApt, 'sources.list.d', 'a.sources'), 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\nComponents: main\n');
    writeFileSync(path.join(etcApt, 'sources.list.d', '0.list.disabled'), 'deb http://disabled.example/debian bookworm main\n');
    assert.deepEqual(readAptSources(etcApt).map((source) => source.uris[0]), ['http://a.example/debian', 'http://b.example/debian']);
    assert.equal(findDebianMirror('bookworm', { etcApt, env: {} }), 'http://a.example/debian');
    writeFileSync(path.join(etcApt, 'sources.list'), '# the classic file\ndeb http://first.example/debian bookworm main\n');
    assert.equal(findDebianMirror('bookworm', { etcApt, env: {} }), 'http://first.example/debian');
  });

  it('prefers CRBENCH_DEBIAN_MIRROR', () => {
    writeFileSync(path.join(etcApt, 'sources.list'), 'deb http://first.example/debian bookworm main\n');
    assert.equal(findDebianMirror('bookworm', { etcApt, env: { CRBENCH_DEBIAN_MIRROR: 'http://override.example/debian/' } }), 'http://override.example/debian');
  });

  it('fails with NO_DEBIAN_MIRROR, saying what to add, when no source serves the suite', () => {
    writeFileSync(path.join(etcApt, 'sources.list.d', 'debian.sources'), DEBIAN_SOURCES.replaceAll('bookworm', 'trixie'));
    assert.throws(() => findDebianMirror('bookworm', { etcApt, env: {} }),
      (error: CrbenchError) => error.code === 'NO_DEBIAN_MIRROR' && /deb http:\/\/deb.debian.org\/debian bookworm main/.test(error.message));
  });

  it('finds the mirror of this host when it is a Debian 12 host', function () {
    let mirror: string;
    try {
      mirror = findDebianMirror('bookworm', { env: {} });
    } catch {
      this.skip();
    }
    assert.match(mirror, /^(https?|file):/);
  });
});
