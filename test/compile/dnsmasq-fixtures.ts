/**
 * Models of some of libvirt's `networkxml2confdata` inputs, written with `defineNetwork`, so the
 * dnsmasq output can be checked against the corpus without the XML parser. Each entry names the
 * corpus case whose `.xml` it transcribes; the expected outputs are always read from the corpus.
 */
import { defineNetwork, type Network, type NetworkInit } from '../../src/model/index.js';

const uuid = '81ff0d90-c91e-6742-64da-4a736edb9a9b';

const twoHosts = [
  { mac: '00:16:3e:77:e2:ed', name: 'a.example.com', ip: '192.168.122.10' },
  { mac: '00:16:3e:3e:a9:1a', name: 'b.example.com', ip: '192.168.122.11' },
];

const extraIps: NetworkInit['ips'] = [
  { family: 'ipv4', address: '192.168.123.1', netmask: '255.255.255.0' },
  { family: 'ipv6', address: '2001:db8:ac10:fe01::1', prefix: 64 },
  { family: 'ipv6', address: '2001:db8:ac10:fd01::1', prefix: 64 },
  { family: 'ipv4', address: '10.24.10.1' },
];

const dhcp6Hosts = [
  { id: '0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63', ip: '2001:db8:ac10:fd01::1:20' },
  { name: 'paul', ip: '2001:db8:ac10:fd01::1:21' },
  { id: '0:3:0:1:0:16:3e:11:22:33', name: 'peter.xyz', ip: '2001:db8:ac10:fd01::1:22' },
  { id: '0:3:0:1:0:16:3e:44:55:33', ip: '2001:db8:ac10:fd01::1:23' },
  { id: '0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66', name: 'badbob', ip: '2001:db8:ac10:fd01::1:24' },
];

function leaseCase(range: object, host1: object, host2: object): NetworkInit {
  return {
    name: 'default',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: {
          ranges: [{ start: '192.168.122.2', end: '192.168.122.254', lease: range as never }],
          hosts: [
            { ...twoHosts[0]!, lease: host1 as never },
            { ...twoHosts[1]!, lease: host2 as never },
          ],
        },
      },
    ],
  };
}

/** Corpus case name → its network. */
export const transcribed: Record<string, NetworkInit> = {
  'isolated-network': {
    name: 'private',
    uuid,
    bridge: { name: 'virbr2', stp: true, delay: 0 },
    mac: '52:54:00:17:3f:37',
    ips: [
      {
        address: '192.168.152.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.152.2', end: '192.168.152.254' }] },
      },
    ],
  },
  'netboot-network': {
    name: 'netboot',
    uuid,
    forward: { mode: 'nat' },
    bridge: { name: 'virbr1', stp: false, delay: 1 },
    domain: { name: 'example.com' },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], bootp: { file: 'pxeboot.img' } },
        tftp: { root: '/var/lib/tftproot' },
      },
    ],
  },
  'netboot-tftp': {
    name: 'tftp-only',
    uuid: 'eb486e5c-4df5-42ee-ae4a-ad8557998d00',
    forward: { mode: 'nat' },
    bridge: { name: 'virbr0', stp: false, delay: 1 },
    ips: [{ address: '192.168.122.1', netmask: '255.255.255.0', tftp: { root: '/var/lib/tftproot' } }],
  },
  'routed-network-no-dns': {
    name: 'local',
    uuid,
    bridge: { name: 'virbr1' },
    mac: '12:34:56:78:9a:bc',
    forward: { mode: 'route', interfaces: [{ dev: 'eth1' }] },
    dns: { enable: false },
    ips: [{ address: '192.168.122.1', netmask: '255.255.255.0' }],
  },
  'open-network': {
    name: 'open',
    uuid,
    forward: { mode: 'open' },
    bridge: { name: 'virbr1', stp: true, delay: 0 },
    mac: '12:34:56:78:9a:bc',
    ips: [{ address: '192.168.122.1', netmask: '255.255.255.0' }],
  },
  'nat-network-dns-srv-record': {
    name: 'default',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    dns: {
      srvs: [
        { service: 'name', protocol: 'tcp', domain: 'test-domain-name.com', target: 'test.example.com', port: 1111, priority: 11, weight: 111 },
        { service: 'name2', protocol: 'udp', target: 'test2.example.com', port: 2222, priority: 22, weight: 222 },
        { service: 'name3', protocol: 'tcp', domain: 'test3.com', target: 'test3.example.com', port: 3333, priority: 33 },
        { service: 'name4', protocol: 'tcp', domain: 'test4.com', target: 'test4.example.com', port: 4444 },
        { service: 'name5', protocol: 'udp', target: 'test5.example.com', priority: 55, weight: 555 },
        { service: 'name6', protocol: 'tcp', domain: 'test6.com', target: 'test6.example.com', port: 6666, weight: 666 },
        { service: 'name7', protocol: 'tcp', domain: 'test7.com', target: 'test7.example.com', weight: 777 },
      ],
    },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: twoHosts },
      },
      ...extraIps!,
    ],
  },
  'nat-network-dns-txt-record': {
    name: 'default',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    dns: { txts: [{ name: 'example', value: 'example value' }] },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: twoHosts },
      },
      ...extraIps!,
    ],
  },
  'nat-network-dns-forwarders': {
    name: 'default',
    uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9c',
    forward: { mode: 'nat', interfaces: [{ dev: 'eth0' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    dns: {
      forwarders: [
        { addr: '8.8.8.8' },
        { addr: '8.8.4.4' },
        { domain: 'example.com', addr: '192.168.1.1' },
        { domain: 'www.example.com' },
      ],
    },
    ips: [{ address: '192.168.122.1', netmask: '255.255.255.0' }],
  },
  'nat-network-dns-hosts': {
    name: 'default',
    uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9c',
    forward: { mode: 'nat', interfaces: [{ dev: 'eth0' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    domain: { name: 'example.com' },
    dns: { forwardPlainNames: false, hosts: [{ ip: '192.168.122.1', hostnames: ['host', 'gateway'] }] },
    ips: [{ address: '192.168.122.1', netmask: '255.255.255.0' }],
  },
  'nat-network-mtu': {
    name: 'default',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    mtu: 7000,
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: twoHosts },
      },
      ...extraIps!,
    ],
  },
  'nat-network-name-with-quotes': {
    name: 'default"with"quotes"',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    dns: { srvs: [{ service: 'name', protocol: 'tcp' }] },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: twoHosts },
      },
      { family: 'ipv4', address: '192.168.123.1', netmask: '255.255.255.0' },
      { family: 'ipv6', address: 'fc00:db8:ac10:fe01::1', prefix: 64 },
      { family: 'ipv6', address: 'fc00:db8:ac10:fd01::1', prefix: 64 },
      { family: 'ipv4', address: '10.24.10.1' },
    ],
  },
  'dhcp6-network': {
    name: 'default',
    uuid,
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    domain: { name: 'mynet' },
    ips: [
      {
        family: 'ipv6',
        address: '2001:db8:ac10:fd01::1',
        prefix: 64,
        dhcp: { ranges: [{ start: '2001:db8:ac10:fd01::1:10', end: '2001:db8:ac10:fd01::1:ff' }], hosts: dhcp6Hosts },
      },
    ],
  },
  'dhcp6host-routed-network': {
    name: 'local',
    uuid,
    forward: { mode: 'route', interfaces: [{ dev: 'eth1' }] },
    bridge: { name: 'virbr1', stp: true, delay: 0 },
    mac: '12:34:56:78:9a:bc',
    ips: [
      { address: '192.168.122.1', netmask: '255.255.255.0', dhcp: { hosts: twoHosts } },
      { family: 'ipv6', address: '2001:db8:ac10:fd01::1', prefix: 64, dhcp: { hosts: dhcp6Hosts } },
    ],
  },
  'dnsmasq-options': {
    name: 'default',
    uuid,
    bridge: { name: 'virbr0' },
    forward: { mode: 'nat', interfaces: [{ dev: 'eth1' }] },
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }] },
      },
    ],
    dnsmasqOptions: ['foo=bar', 'cname=*.cloudapps.example.com,master.example.com'],
  },
  'leasetime-seconds': leaseCase({ expiry: 200, unit: 'seconds' }, { expiry: 300, unit: 'seconds' }, { expiry: 400, unit: 'seconds' }),
  'leasetime-minutes': leaseCase({ expiry: 10, unit: 'minutes' }, { expiry: 20, unit: 'minutes' }, { expiry: 30, unit: 'minutes' }),
  'leasetime-hours': leaseCase({ expiry: 1, unit: 'hours' }, { expiry: 2, unit: 'hours' }, { expiry: 3, unit: 'hours' }),
  'leasetime-infinite': leaseCase({ expiry: 0 }, { expiry: 0 }, { expiry: 0 }),
};

/** The transcribed corpus networks, checked by the model's codecs. */
export function transcribedNetworks(): Array<[string, Network]> {
  return Object.entries(transcribed).map(([name, init]) => [name, defineNetwork(init)]);
}
