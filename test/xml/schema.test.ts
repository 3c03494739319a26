/**
 * Everything the formatter writes for libvirt's corpus and for our own fixtures is valid against
 * libvirt's RelaxNG schema (network.rng). All documents go to one xmllint run. Skips visibly
 * when xmllint or the corpus is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineNetwork, type NetworkInit } from '../../src/model/index.js';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';

announceCorpus('xml schema');

function xmllintAvailable(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveXmllint = xmllintAvailable();
if (!haveXmllint) console.warn('[xml schema] SKIPPED: xmllint not installed (Debian: libxml2-utils)');

const UUID = '81ff0d90-c91e-6742-64da-4a736edb9a9b';

/** Our own fixtures: together they use every element and attribute the schema knows. */
const FIXTURES: Record<string, NetworkInit> = {
  'nat-everything': {
    name: 'nat-everything',
    uuid: UUID,
    title: 'A title & more',
    description: 'Two\nlines <with> "markup"',
    metadata: [{ type: 'element', name: 'app:x', attributes: [{ name: 'xmlns:app', value: 'urn:app' }, { name: 'k', value: 'v' }], children: [{ type: 'text', text: 'text' }] }],
    ipv6: true,
    trustGuestRxFilters: true,
    forward: {
      mode: 'nat',
      interfaces: [{ dev: 'eth0' }],
      nat: { ipv6: true, address: { start: '203.0.113.10', end: '203.0.113.20' }, port: { start: 1024, end: 65535 } },
    },
    bridge: { name: 'virbr9', zone: 'trusted', stp: false, delay: 2, macTableManager: 'libvirt' },
    mtu: 9000,
    mac: '52:54:00:12:34:56',
    domain: { name: 'example.org', localOnly: true, register: true },
    dns: {
      enable: true,
      forwardPlainNames: false,
      forwarders: [{ addr: '8.8.8.8' }, { domain: 'corp.example', addr: '10.0.0.53' }],
      txts: [{ name: 'info', value: 'hello world' }],
      srvs: [{ service: 'ldap', protocol: 'tcp', domain: 'example.org', target: 'ldap.example.org', port: 389, priority: 1, weight: 10 }],
      hosts: [{ ip: '192.168.150.5', hostnames: ['printer', 'scanner'] }],
    },
    bandwidth: { inbound: { average: 1000, peak: 2000, burst: 512 }, outbound: { average: 500 } },
    port: { isolated: true },
    ips: [
      {
        address: '192.168.150.1',
        netmask: '255.255.255.0',
        localPtr: true,
        tftp: { root: '/srv/tftp' },
        dhcp: {
          ranges: [{ start: '192.168.150.100', end: '192.168.150.200', lease: { expiry: 1, unit: 'hours' } }],
          hosts: [{ mac: '00:16:3e:77:e2:ed', name: 'vm1', ip: '192.168.150.10', lease: { expiry: 0 } }],
          bootp: { file: 'pxelinux.0', server: '192.168.150.2' },
        },
      },
      {
        family: 'ipv6',
        address: 'fd00:150::1',
        prefix: 64,
        dhcp: { ranges: [{ start: 'fd00:150::100', end: 'fd00:150::1ff' }], hosts: [{ id: '0:3:0:1:0:16:3e:11:22:33', ip: 'fd00:150::10' }] },
      },
    ],
    routes: [
      { address: '10.20.0.0', prefix: 16, gateway: '192.168.150.254', metric: 2 },
      { family: 'ipv6', address: 'fd00:999::', prefix: 48, gateway: 'fd00:150::fe' },
    ],
    dnsmasqOptions: ['cname=*.apps.example.org,router.example.org'],
  },
  'route-netmask-route': {
    name: 'routed',
    uuid: UUID,
    forward: { mode: 'route' },
    ips: [{ family: 'ipv4', address: '10.1.0.1', prefix: 24 }],
    routes: [{ address: '10.2.0.0', netmask: '255.255.0.0', gateway: '10.1.0.2' }],
  },
  'open-isolated': { name: 'open', uuid: UUID, forward: { mode: 'open' }, ips: [{ address: '10.3.0.1', prefix: 24 }] },
  isolated: { name: 'isolated', uuid: UUID, dns: { enable: false } },
  'bridge-ovs-portgroups': {
    name: 'ovs',
    uuid: UUID,
    forward: { mode: 'bridge' },
    bridge: { name: 'ovsbr0', macTableManager: 'kernel' },
    vlan: { trunk: true, tags: [{ id: 10, nativeMode: 'untagged' }, { id: 20 }] },
    virtualport: { type: 'openvswitch', parameters: { interfaceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f', profileid: 'prof' } },
    portgroups: [
      { name: 'pg1', default: true, trustGuestRxFilters: false, vlan: { tags: [{ id: 42 }] }, virtualport: { parameters: { profileid: 'x' } }, bandwidth: { outbound: { average: 10 } } },
      { name: 'pg2' },
    ],
  },
  'qbg-private': {
    name: 'qbg',
    uuid: UUID,
    forward: { mode: 'vepa', interfaces: [{ dev: 'eth1' }, { dev: 'eth2' }] },
    virtualport: { type: '802.1Qbg', parameters: { managerid: 11, typeid: 1193047, typeidversion: 2, instanceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' } },
  },
  'qbh-passthrough-pf': { name: 'qbh', uuid: UUID, forward: { mode: 'passthrough', pf: { dev: 'eth3' } }, virtualport: { type: '802.1Qbh', parameters: { profileid: 'p' } } },
  'midonet-private': { name: 'mido', uuid: UUID, forward: { mode: 'private', interfaces: [{ dev: 'eth4' }] }, virtualport: { type: 'midonet', parameters: { interfaceid: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' } } },
  'hostdev-addresses': {
    name: 'hostdev',
    uuid: UUID,
    forward: { mode: 'hostdev', managed: true, driver: { name: 'vfio' }, addresses: [{ domain: 0, bus: 3, slot: 0, function: 1 }] },
  },
};

describe.skipIf(!haveXmllint)('formatted XML validates against network.rng', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtnet-schema-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rng = corpusDir ? join(corpusDir, 'schemas', 'network.rng') : '/usr/share/libvirt/schemas/network.rng';

  function validate(docs: Record<string, string>): Record<string, string> {
    const files = Object.entries(docs).map(([name, xml]) => {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    const run = spawnSync('xmllint', ['--noout', '--relaxng', rng, ...files], { encoding: 'utf8' });
    const failures: Record<string, string> = {};
    for (const line of run.stderr.split('\n')) {
      const m = /^(.*)\.xml fails to validate$/.exec(line);
      if (m) failures[m[1]!.slice(dir.length + 1)] = run.stderr;
    }
    expect(run.stderr).not.toMatch(/parser error|Relax-NG parser error/);
    return failures;
  }

  it('our fixtures', () => {
    const docs: Record<string, string> = {};
    for (const [name, init] of Object.entries(FIXTURES)) docs[`fixture-${name}`] = formatNetwork(defineNetwork(init));
    expect(Object.keys(validate(docs))).toEqual([]);
  });

  it.skipIf(!corpusDir)('every corpus network document, formatted', () => {
    const docs: Record<string, string> = {};
    for (const c of corpusCases('networkxml2xmltest').filter((k) => k.expectation === 'success')) {
      docs[`xml2xml-${c.name}`] = formatNetwork(parseNetwork(readCorpus(c.inputs[0]!)), { inactive: c.flags.includes('VIR_NETWORK_XML_INACTIVE') });
    }
    for (const sub of ['networkxml2confdata', 'networkxml2firewalldata']) {
      for (const file of readdirSync(join(corpusDir!, sub)).filter((f) => f.endsWith('.xml'))) {
        docs[`${sub}-${file.slice(0, -4)}`] = formatNetwork(parseNetwork(readCorpus(join(sub, file))));
      }
    }
    expect(Object.keys(docs).length).toBeGreaterThan(60);
    expect(Object.keys(validate(docs))).toEqual([]);
  });
});
