import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { releaseDateEpoch, stripRoot } from '../../../provision/images/grader.ts';
import { CrbenchError } from '../../../pipeline/errors.ts';

/** A few files of a freshly debootstrapped root, as debootstrap leaves them. */
function fakeRoot(): string {
  const rootfs = mkdtempSync(path.join(os.tmpdir(), 'crbench-strip-'));
  const files: Record<string, string> = {
    'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease': 'Origin: Debian\nDate: Sat, 10 May 2025 09:00:00 UTC\nSuite: stable\n',
    'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages': 'Package: x\n',
    'var/lib/apt/lists/lock': '',
    'var/cache/apt/pkgcache.bin': 'x',
    'var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb': 'x',
    'usr/share/doc/gcc-12/copyright': 'x',
    'usr/share/man/man1/gcc.1.gz': 'x',
    'usr/share/locale/fr/LC_MESSAGES/gcc.mo': 'x',
    'usr/share/locale/locale.alias': 'french fr_FR.ISO-8859-1\n',
    'usr/share/common-licenses/GPL-3': 'x',
    'var/log/dpkg.log': 'x',
    'var/log/apt/history.log': 'x',
    'var/cache/debconf/config.dat-old': 'x',
    'var/cache/debconf/config.dat': 'x',
    'var/cache/ldconfig/aux-cache': 'x',
    'etc/hostname': 'the-build-host\n',
    'etc/resolv.conf': 'nameserver 10.0.0.1\n',
    'etc/shadow': 'root:*:20779:0:99999:7:::\nnobody:*:20779:0:99999:7:::\n_apt:!::::::\n',
    'etc/shadow-': 'root:*:20779:0:99999:7:::\n',
    'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(rootfs, file)), { recursive: true });
    writeFileSync(path.join(rootfs, file), content);
  }
  mkdirSync(path.join(rootfs, 'var/lib/apt/lists/partial'));
  mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'));
  return rootfs;
}

describe('releaseDateEpoch()', () => {
  it("reads the Date of the suite's Release file", () => {
    const rootfs = fakeRoot();
    try {
      assert.equal(releaseDateEpoch(rootfs), Date.UTC(2025, 4, 10, 9) / 1000);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });

  it('fails with PROVISION_FAILED when debootstrap left none', () => {
    const rootfs = mkdtempSync(path.join(os.tmpdir(), 'crbench-strip-'));
    try {
      assert.throws(() => releaseDateEpoch(rootfs), (error: CrbenchError) => error.code === 'PROVISION_FAILED');
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });
});

describe('stripRoot()', () => {
  let rootfs: string;
  const epoch = Date.UTC(2025, 4, 10, 9) / 1000;
  before(() => {
    rootfs = fakeRoot();
    stripRoot(rootfs, epoch);
  });
  after(() => rmSync(rootfs, { recursive: true, force: true }));
  const at = (file: string) => path.join(rootfs, file);

  it('drops apt lists and caches, docs, man pages, locales and logs, keeping the folders apt and the C library need', () => {
    for (const gone of ['var/lib/apt/lists/lock', 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease', 'var/cache/apt/pkgcache.bin',
      'var/cache/apt/archives/gcc-12_12.2.0-14_amd64.deb', 'usr/share/doc/gcc-12', 'usr/share/man/man1', 'usr/share/locale/fr',
      'var/log/dpkg.log', 'var/log/apt/history.log']) {
      assert.ok(!existsSync(at(gone)), gone);
    }
    for (const kept of ['var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'usr/share/locale/locale.alias', 'var/log/apt',
      'usr/share/common-licenses/GPL-3', 'var/cache/debconf/config.dat', 'etc/passwd']) {
      assert.ok(existsSync(at(kept)), kept);
    }
  });

  it('drops what differs between builds: backups, the ldconfig cache, the host network files', () => {
    for (const gone of ['var/cache/debconf/config.dat-old', 'var/cache/ldconfig/aux-cache', 'etc/shadow-', 'etc/resolv.conf']) {
      assert.ok(!existsSync(at(gone)), gone);
    }
    assert.equal(readFileSync(at('etc/hostname'), 'utf8'), 'localhost\n');
    assert.match(readFileSync(at('etc/hosts'), 'utf8'), /^127\.0\.0\.1\tlocalhost$/m);
  });

  it("pins /etc/shadow's change dates to the Release day, leaving empty ones empty", () => {
    const day = Math.floor(epoch / 86400);
    assert.equal(readFileSync(at('etc/shadow'), 'utf8'), `root:*:${day}:0:99999:7:::\nnobody:*:${day}:0:99999:7:::\n_apt:!::::::\n`);
  });
});
