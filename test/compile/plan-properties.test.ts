/** Invariants of every plan, over generated networks (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNetwork, teardownPlan } from '../../src/compile/index.js';
import type { Operation } from '../../src/compile/plan.js';
import { defineNetwork, lastAddress, type NetworkInit } from '../../src/model/index.js';

const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((b) => b.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 3, maxLength: 3 }).map((w) => `fd00:${w.map((x) => x.toString(16)).join(':')}::1`);
const ipEntry = fc.oneof(
  fc.record({ address: ipv4, prefix: fc.integer({ min: 8, max: 30 }) }),
  fc.record({ family: fc.constant('ipv6' as const), address: ipv6, prefix: fc.integer({ min: 48, max: 120 }) }),
);
const networkInit: fc.Arbitrary<NetworkInit> = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/),
    forward: fc.constantFrom(undefined, { mode: 'nat' as const }, { mode: 'route' as const }, { mode: 'open' as const }),
    bridge: fc.record({ stp: fc.boolean(), delay: fc.nat(60), macTableManager: fc.constantFrom('kernel' as const, 'libvirt' as const) }, { requiredKeys: [] }),
    mtu: fc.integer({ min: 68, max: 65535 }),
    ips: fc.array(ipEntry, { maxLength: 4 }),
    dns: fc.record({ enable: fc.boolean() }),
  },
  { requiredKeys: ['name'] },
).map((init) => {
  // JSON has no undefined: drop an undefined forward so the literal stays a valid init.
  const { forward, ...rest } = init as NetworkInit & { forward?: NetworkInit['forward'] };
  return forward === undefined ? rest : { ...rest, forward };
});

const LINK_KINDS = new Set(['link.create-bridge', 'link.set-bridge-option', 'address.add', 'link.set-state', 'route.add']);
const random = (n: number) => new Uint8Array(n).fill(7);

describe('plan invariants', () => {
  it('holds for generated networks', () => {
    fc.assert(
      fc.property(networkInit, fc.uniqueArray(fc.integer({ min: 0, max: 5 }).map((i) => `virbr${i}`)), (init, used) => {
        const plan = compileNetwork(defineNetwork(init), { usedBridgeNames: used, random });
        const ops = plan.operations;
        // A bridge that was free, named as the plan says, created first.
        expect(used).not.toContain(plan.bridge);
        expect(ops[0]).toMatchObject({ kind: 'link.create-bridge', name: plan.bridge });
        // Every link/address/route operation comes before every other kind: one ip -batch.
        const firstOther = ops.findIndex((op) => !LINK_KINDS.has(op.kind));
        expect(ops.slice(firstOther).some((op) => LINK_KINDS.has(op.kind))).toBe(false);
        // Addresses in document order, IPv4 ones with the subnet's last address as broadcast.
        const addresses = ops.filter((op): op is Extract<Operation, { kind: 'address.add' }> => op.kind === 'address.add');
        expect(addresses).toHaveLength(init.ips?.length ?? 0);
        for (const a of addresses) if (a.family === 'ipv4') expect(a.broadcast).toBe(lastAddress(a.address, a.prefix));
        // Firewall for all but open; forwarding only when forwarding.
        expect(ops.some((op) => op.kind === 'firewall.add')).toBe(init.forward?.mode !== 'open');
        const forwarding = ops.some((op) => op.kind === 'sysctl.set' && op.keepOnTeardown);
        expect(forwarding).toBe(init.forward !== undefined && (init.ips?.length ?? 0) > 0);
        // Plain JSON.
        expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
        // The teardown deletes the bridge and removes every file and folder the plan made.
        const down = teardownPlan(plan);
        expect(down).toContainEqual({ kind: 'link.delete', name: plan.bridge });
        for (const op of ops) {
          if (op.kind === 'file.write') expect(down).toContainEqual({ kind: 'file.remove', path: op.path });
          if (op.kind === 'dir.create') expect(down).toContainEqual({ kind: 'dir.remove', path: op.path });
          if (op.kind === 'dnsmasq.start') expect(down[0]).toEqual({ kind: 'dnsmasq.stop', network: op.network, pidfile: op.pidfile });
        }
        const deleteAt = down.findIndex((op) => op.kind === 'link.delete');
        expect(down.slice(deleteAt).every((op) => op.kind === 'link.delete' || op.kind === 'file.remove' || op.kind === 'dir.remove')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
