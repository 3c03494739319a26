/**
 * fast-check generators for the dnsmasq safety tests: a network whose every string field (and
 * the bridge, state folder and pid file options) is mostly plausible and sometimes adversarial.
 */
import fc from 'fast-check';
import type { Network } from '../../src/model/index.js';

export const specials = ['\n', '\r', '\0', ',', '/', '#', ' ', ' #', '"', "'", ':', '\t', '\u000b', '[', ']', '=', '&', '<', '.', '-', '_', 'é', '\u2028', '\\', 'id:', 'set:', 'tag:', '*', 'infinite', '1'];
export const plain = ['a', 'b', 'x', 'Host', 'example', 'z9'];
/** Adversarial text: line breaks, separators, quotes, comments, keywords, over-long runs. */
export const text = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...specials, ...plain, ...plain), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...plain), { minLength: 1, maxLength: 3 }).map((a) => a.join('.')) },
  { weight: 1, arbitrary: fc.integer({ min: 990, max: 1040 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** Every string of a network (and of the options) that reaches a dnsmasq file. */
export interface Fields {
  name: string;
  bridge: string;
  stateDir: string;
  pidfile: string;
  domain: string;
  fwdDomain: string;
  txtName: string;
  txtValue: string;
  service: string;
  protocol: string;
  srvDomain: string;
  target: string;
  tftpRoot: string;
  bootFile: string;
  mac: string;
  hostName: string;
  id: string;
  host6Name: string;
  dnsName1: string;
  dnsName2: string;
  option: string;
}

/** Mostly a plausible value, sometimes adversarial text: each run mixes both. */
export const word = fc.array(fc.constantFrom(...plain), { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
export const field = (usual: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 14, arbitrary: usual }, { weight: 1, arbitrary: text });

export const fields: fc.Arbitrary<Fields> = fc.record({
  name: field(word),
  bridge: field(fc.constant('virbr0')),
  stateDir: field(fc.constant('/var/lib/libvirt/dnsmasq')),
  pidfile: field(fc.constant('/run/libvirt/network/n.pid')),
  domain: field(word),
  fwdDomain: field(word),
  txtName: field(word),
  txtValue: field(word),
  service: field(word),
  protocol: field(word),
  srvDomain: field(word),
  target: field(word),
  tftpRoot: field(word.map((w) => `/srv/${w}`)),
  bootFile: field(word),
  mac: field(fc.constant('52:54:00:AB:cd:1')),
  hostName: field(word),
  id: field(word),
  host6Name: field(word),
  dnsName1: field(word),
  dnsName2: field(word),
  option: field(word),
});

export function networkOf(f: Fields): Network {
  // Built as a plain object: the point is to reach the generator with strings the codecs (or a
  // careless caller) let through, branded fields included.
  return {
    name: f.name,
    forward: { mode: 'nat' },
    domain: { name: f.domain },
    dns: {
      forwarders: [{ domain: f.fwdDomain, addr: '10.0.0.53' }],
      txts: [{ name: f.txtName, value: f.txtValue }],
      srvs: [{ service: f.service, protocol: f.protocol, domain: f.srvDomain, target: f.target, port: 1, priority: 2, weight: 3 }],
      hosts: [{ ip: '192.168.122.1', hostnames: [f.dnsName1, f.dnsName2] }],
    },
    ips: [
      {
        address: '192.168.122.1',
        prefix: 24,
        tftp: { root: f.tftpRoot },
        dhcp: {
          ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }],
          hosts: [
            { mac: f.mac, name: f.hostName, ip: '192.168.122.10' },
            { name: f.hostName, ip: '192.168.122.11' },
          ],
          bootp: { file: f.bootFile },
        },
      },
      { family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ id: f.id, name: f.host6Name, ip: 'fd00::10' }] } },
    ],
    dnsmasqOptions: [f.option],
  } as unknown as Network;
}

