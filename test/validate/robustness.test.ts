/**
 * The validator never throws, whatever values a model built in code holds (casts bypass the
 * codecs), and stays linear on large networks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Network } from '../../src/model/index.js';
import { validateNetwork } from '../../src/validate/index.js';
import { net } from './helpers.js';

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '.', '..', '10.0.0.1', '255.0.255.0', '::1', '2001:db8::', 'ff02::1', '00:16:3e:00:00:01', 'zz:zz', '%d', 'a\nb'),
);
const num = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(0, 2 ** 32, 2 ** 55, Number.NaN, 1.5));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const ip = fc.record(
  {
    address: text,
    family: maybe(fc.constantFrom('ipv4', 'ipv6', 'bogus')),
    netmask: maybe(text),
    prefix: maybe(num),
    localPtr: maybe(fc.boolean()),
    tftp: maybe(fc.record({ root: text })),
    dhcp: maybe(
      fc.record(
        {
          ranges: maybe(fc.array(fc.record({ start: text, end: text, lease: maybe(fc.record({ expiry: num, unit: maybe(fc.constantFrom('seconds', 'minutes', 'hours')) })) }), { maxLength: 3 })),
          hosts: maybe(fc.array(fc.record({ ip: text, mac: maybe(text), id: maybe(text), name: maybe(text) }, { requiredKeys: ['ip'] }), { maxLength: 3 })),
          bootp: maybe(fc.record({ file: text, server: maybe(text) }, { requiredKeys: ['file'] })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['address'] },
);

const network = fc.record(
  {
    name: text,
    uuid: maybe(text),
    title: maybe(text),
    mac: maybe(text),
    mtu: maybe(num),
    forward: maybe(
      fc.record(
        {
          mode: fc.constantFrom('nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev', 'bogus'),
          nat: maybe(fc.record({ address: maybe(fc.record({ start: text, end: text })), port: maybe(fc.record({ start: num, end: num })) }, { requiredKeys: [] })),
          interfaces: maybe(fc.array(fc.record({ dev: text }), { maxLength: 3 })),
          addresses: maybe(fc.array(fc.record({ domain: num, bus: num, slot: num, function: num }), { maxLength: 3 })),
          pf: maybe(fc.record({ dev: text })),
        },
        { requiredKeys: ['mode'] },
      ),
    ),
    bridge: maybe(fc.record({ name: maybe(text), zone: maybe(text), stp: maybe(fc.boolean()), delay: maybe(num) }, { requiredKeys: [] })),
    domain: maybe(fc.record({ name: text, register: maybe(fc.boolean()), localOnly: maybe(fc.boolean()) }, { requiredKeys: ['name'] })),
    ips: maybe(fc.array(ip, { maxLength: 3 })),
    routes: maybe(fc.array(fc.record({ address: text, gateway: text, family: maybe(fc.constantFrom('ipv4', 'ipv6')), netmask: maybe(text), prefix: maybe(num), metric: maybe(num) }, { requiredKeys: ['address', 'gateway'] }), { maxLength: 3 })),
    vlan: maybe(fc.record({ tags: fc.array(fc.record({ id: num }), { maxLength: 3 }), trunk: maybe(fc.boolean()) }, { requiredKeys: ['tags'] })),
    virtualport: maybe(fc.record({ type: maybe(fc.constantFrom('802.1Qbg', '802.1Qbh', 'openvswitch', 'midonet', 'x')), parameters: maybe(fc.record({ managerid: maybe(num), profileid: maybe(text), instanceid: maybe(text) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    bandwidth: maybe(fc.record({ inbound: maybe(fc.record({ average: maybe(num), peak: maybe(num), burst: maybe(num), floor: maybe(num) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    portgroups: maybe(fc.array(fc.record({ name: text, default: maybe(fc.boolean()) }, { requiredKeys: ['name'] }), { maxLength: 3 })),
    dnsmasqOptions: maybe(fc.array(text, { maxLength: 2 })),
  },
  { requiredKeys: ['name'] },
);

describe('validateNetwork robustness', () => {
  it('never throws, and every problem has a code, a /network path and a message', () => {
    fc.assert(
      fc.property(network, (n) => {
        const problems = validateNetwork(n as unknown as Network);
        for (const p of problems) {
          expect(p.path.startsWith('/network')).toBe(true);
          expect(p.message.length).toBeGreaterThan(10);
          expect(['error', 'warning']).toContain(p.severity);
        }
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('is linear: 30000 static hosts and 3000 portgroups validate quickly, duplicates found', () => {
    const big = net((n) => {
      const hosts = [];
      for (let i = 0; i < 30000; i++) {
        const b = (i >> 8) & 0xff;
        const c = i & 0xff;
        hosts.push({ mac: `52:54:00:00:${b.toString(16)}:${c.toString(16)}`, name: `h${i}`, ip: `10.${b}.${c}.1` });
      }
      hosts.push({ mac: '52:54:00:00:0:1', name: 'dup', ip: '10.200.0.1' });
      n.ips = [{ address: '10.255.255.254', prefix: 8, dhcp: { hosts } }];
      n.portgroups = Array.from({ length: 3000 }, (_, i) => ({ name: `pg${i}` }));
    });
    const t0 = performance.now();
    const problems = validateNetwork(big);
    const ms = performance.now() - t0;
    expect(problems.map((p) => `${p.code}@${p.path}`)).toEqual(['dhcp.host.duplicate-mac@/network/ip[1]/dhcp/host[30001]/@mac']);
    // Generous: shared test machines are loaded; a quadratic pass would take minutes here.
    expect(ms).toBeLessThan(5000);
  }, 60_000);
});
