/**
 * Properties over random valid networks: whatever the network, an apply is all-or-nothing on the
 * mock host, and a teardown after a successful apply leaves only what libvirt leaves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile/compile.js';
import type { Plan } from '../../src/compile/plan.js';
import { MockBackend } from '../../src/backend/mock/backend.js';
import type { HostSnapshot } from '../../src/backend/mock/state.js';
import { defineNetwork, type Network, type NetworkInit } from '../../src/model/index.js';
import { hasErrors, validateNetwork } from '../../src/validate/index.js';

/**
 * Networks libvirt starts with a bridge of its own (modes none, nat, route, open), mixing what
 * creates host state: 1–2 IPv4 subnets with DHCP ranges and hosts, 0–2 IPv6 subnets, DNS
 * hosts, static routes, STP/delay,
 * MTU, MAC, vlan filtering. (test/support's networkArb covers the parser's whole grammar, so
 * almost none of its samples are startable.)
 */
const startableNetworkArb: fc.Arbitrary<Network> = fc
  .record({
    mode: fc.constantFrom(undefined, 'nat' as const, 'route' as const, 'open' as const),
    bridge: fc.constantFrom('virbr0', 'virbr7', 'br-test', 'lab.10', 'x'.repeat(15)),
    stp: fc.boolean(),
    delay: fc.integer({ min: 0, max: 40 }),
    mtu: fc.option(fc.integer({ min: 68, max: 9000 }), { nil: undefined }),
    mac: fc.option(fc.constantFrom('52:54:00:12:34:56', '52:54:00:ab:cd:ef'), { nil: undefined }),
    vlanFiltering: fc.boolean(),
    v4: fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { minLength: 0, maxLength: 2 }),
    dhcp: fc.boolean(),
    hosts: fc.integer({ min: 0, max: 3 }),
    v6: fc.uniqueArray(fc.integer({ min: 1, max: 0xfff }), { minLength: 0, maxLength: 2 }),
    dnsHosts: fc.integer({ min: 0, max: 2 }),
    routes: fc.array(fc.record({ net: fc.integer({ min: 1, max: 200 }), metric: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }) }), { maxLength: 2 }),
  })
  .map((r): NetworkInit => {
    const ips: NonNullable<NetworkInit['ips']> = r.v4.map((n, i) => ({
      address: `10.${n}.0.1`,
      prefix: 24,
      ...(i === 0 && r.dhcp
        ? {
            dhcp: {
              ranges: [{ start: `10.${n}.0.100`, end: `10.${n}.0.199` }],
              hosts: Array.from({ length: r.hosts }, (_, h) => ({ mac: `52:54:00:00:0${h}:01`, name: `guest${h}`, ip: `10.${n}.0.${10 + h}` })),
            },
          }
        : {}),
    }));
    for (const n of r.v6) ips.push({ family: 'ipv6', address: `fd00:${n.toString(16)}::1`, prefix: 64 });
    const first = r.v4[0];
    return {
      name: 'prop',
      ...(r.mode ? { forward: { mode: r.mode } } : {}),
      bridge: { name: r.bridge, stp: r.stp, delay: r.delay, ...(r.vlanFiltering ? { macTableManager: 'libvirt' as const } : {}) },
      ...(r.mtu !== undefined ? { mtu: r.mtu } : {}),
      ...(r.mac !== undefined ? { mac: r.mac } : {}),
      ips,
      ...(first !== undefined && r.dnsHosts > 0 ? { dns: { hosts: Array.from({ length: r.dnsHosts }, (_, i) => ({ ip: `10.${first}.0.${50 + i}`, hostnames: [`host${i}`] })) } } : {}),
      ...(first !== undefined
        ? {
            routes: r.routes.map((route) => ({
              address: `172.16.${route.net}.0`,
              prefix: 24,
              gateway: `10.${first}.0.2`,
              ...(route.metric !== undefined ? { metric: route.metric } : {}),
            })),
          }
        : {}),
    } as NetworkInit;
  })
  .map((init) => defineNetwork(init));

/** A plan for a network libvirt would start, or undefined. */
function planFor(network: Network, firewallBackend: 'iptables' | 'nftables'): Plan | undefined {
  if (hasErrors(validateNetwork(network))) return undefined;
  try {
    return compileNetwork(network, { firewallBackend, random: () => new Uint8Array([1, 2, 3, 4, 5, 6]) });
  } catch {
    return undefined;
  }
}

/** A host where libvirt is installed (its parent folders exist). */
function hostFor(_plan: Plan): MockBackend {
  return new MockBackend({ dirs: ['/run/libvirt', '/var/lib/libvirt'] });
}

/** What a teardown leaves on purpose: the forwarding switches (and what the kernel propagated from them). */
function comparable(s: HostSnapshot): HostSnapshot {
  const sysctls = Object.fromEntries(Object.entries(s.sysctls).filter(([k]) => k !== 'net.ipv4.ip_forward' && !k.endsWith('.forwarding')));
  return { ...s, sysctls };
}

const cases = fc
  .record({ network: startableNetworkArb, backend: fc.constantFrom('iptables' as const, 'nftables' as const), failAt: fc.nat() })
  .map(({ network, backend, failAt }) => ({ plan: planFor(network, backend), failAt }))
  .filter((c): c is { plan: Plan; failAt: number } => c.plan !== undefined && c.plan.operations.length > 0);

describe('random networks on the mock host', () => {
  it('a failure at any operation leaves the host exactly as it was', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ plan, failAt }) => {
        const mock = hostFor(plan);
        const before = mock.snapshot();
        const index = failAt % plan.operations.length;
        mock.failAt(index);
        const result = await mock.apply(plan);
        const op = plan.operations[index]!;
        if (op.kind === 'route.add' && op.ignoreErrors && result.ok) return;
        expect(result.ok).toBe(false);
        expect(result.rolledBack).toBe(true);
        expect(result.error?.operationIndex).toBeLessThanOrEqual(index);
        expect(mock.snapshot()).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('an apply either works and tears down to the starting host, or fails and rolls back', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ plan }) => {
        const mock = hostFor(plan);
        const before = mock.snapshot();
        const result = await mock.apply(plan);
        if (!result.ok) {
          expect(result.rolledBack).toBe(true);
          expect(mock.snapshot()).toEqual(before);
          return;
        }
        expect((await mock.apply(plan)).unchanged).toBe(true);
        const down = await mock.teardown(plan.network);
        expect(down.ok, JSON.stringify(down.error)).toBe(true);
        expect(comparable(mock.snapshot())).toEqual(comparable(before));
      }),
      { numRuns: 150 },
    );
  });
});
