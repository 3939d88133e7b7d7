import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkNetnsBeforeTake, judgeNetnsLinks, NETNS_CHECK_LABEL, netnsCheckStep, netnsFilesOf, netnsInodeOf, netnsReplaceStep, processesInNetns,
} from '../../../provision/pools/netns-pool.ts';

const LO_DOWN = '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';

describe('the network namespace pool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-netns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('netnsFilesOf() names one file per member below the pool directory, known before any exists', () => {
    assert.deepEqual(netnsFilesOf('/w/pools/g', 3), ['/w/pools/g/net-0', '/w/pools/g/net-1', '/w/pools/g/net-2']);
    assert.deepEqual(netnsFilesOf('/w/pools/g', 0), []);
  });

  describe('judgeNetnsLinks()', () => {
    it('passes what a new namespace shows: lo alone, down', () => {
      assert.equal(judgeNetnsLinks(LO_DOWN), undefined);
    });

    it('fails a loopback that is up, saying so', () => {
      assert.match(judgeNetnsLinks('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n') ?? '', /loopback interface is up/);
    });

    it('fails any other interface, naming it (a veth pair end included)', () => {
      const veth = `${LO_DOWN}7: eth0@if8: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN\n`;
      assert.match(judgeNetnsLinks(veth) ?? '', /other than lo: eth0/);
    });

    it('fails output it cannot read, and a namespace with no loopback at all', () => {
      assert.match(judgeNetnsLinks('Cannot open network namespace\n') ?? '', /cannot read/);
      assert.match(judgeNetnsLinks('') ?? '', /no loopback/);
    });
  });

  it('processesInNetns() finds the pids whose ns/net link names the inode, and nothing else', () => {
    for (const [pid, link] of [['10', 'net:[4026532178]'], ['11', 'net:[4026531833]'], ['12', 'net:[4026532178]']] as const) {
      mkdirSync(path.join(dir, pid, 'ns'), { recursive: true });
      symlinkSync(link, path.join(dir, pid, 'ns', 'net'));
    }
    mkdirSync(path.join(dir, 'self'));
    mkdirSync(path.join(dir, '13'));
    assert.deepEqual(processesInNetns(4026532178, dir).sort(), [10, 12]);
    assert.deepEqual(processesInNetns(1, dir), []);
  });

  it('checkNetnsBeforeTake() refuses a file with no namespace mounted on it', () => {
    const file = path.join(dir, 'net-0');
    writeFileSync(file, '');
    assert.equal(netnsInodeOf(file), undefined);
    assert.match(checkNetnsBeforeTake(file) ?? '', /holds no network namespace/);
    assert.match(checkNetnsBeforeTake(path.join(dir, 'missing')) ?? '', /holds no network namespace/);
  });

  it('checks a namespace from inside it with ip, and replaces one by unmounting and mounting a new one on the same file', () => {
    assert.deepEqual(netnsCheckStep('/w/pools/g/net-0'), { label: NETNS_CHECK_LABEL, argv: ['nsenter', '--net=/w/pools/g/net-0', 'ip', '-o', 'link', 'show'] });
    const replace = netnsReplaceStep('/w/pools/g/net-0');
    assert.equal(replace.argv.at(-1), '/w/pools/g/net-0', 'the file is a positional parameter, never pasted into the script');
    assert.match(replace.argv[2] ?? '', /umount "\$1"; exec unshare --net="\$1" true/);
  });
});
