/**
 * Transactions on the real backend: for a NAT network with DHCP, DNS and IPv6, a fault is
 * injected before every operation in turn, and the whole namespace (links, addresses, routes,
 * sysctls, iptables/ip6tables/nft rulesets, files under the state folders, processes) must be
 * exactly as before. Then re-apply is a no-op, and teardown of a stopped network is a no-op.
 *
 * libvirt never removes its global chains (iptables LIBVIRT_*, nft table libvirt_network), so the
 * "before" state is taken after one start/stop cycle has created them, with IP forwarding (which
 * a teardown leaves on, as libvirt does) put back to 0 before every attempt so its undo is tested.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxBackend } from '../../src/backend/linux/index.js';
import { compileNetwork } from '../../src/compile/compile.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { createNamespace, destroyAllNamespaces, sh, snapshotHost, sweepStaleNamespaces, systemTestSkipReason } from '../support/netns.js';
import { capturesDir } from '../support/corpus.js';

const CAPTURE = join(capturesDir ?? '../shared/reference/libvirtd-9.0-captures', 'nat-dhcp-dns', 'input.xml');
const INPUT_XML = `<network>
  <name>probe-nat</name>
  <forward mode='nat'/>
  <bridge name='virbr-test' stp='on' delay='0'/>
  <mac address='52:54:00:12:34:56'/>
  <domain name='example.com' localOnly='yes'/>
  <dns>
    <host ip='192.168.122.77'><hostname>web</hostname></host>
  </dns>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='52:54:00:aa:bb:01' name='guest1' ip='192.168.122.50'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='2001:db8:122::1' prefix='64'/>
</network>`;

const skip = systemTestSkipReason(['dnsmasq', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'nft', 'sysctl']);
if (skip) console.warn(`[system/linux-transaction] SKIPPED: ${skip}`);

const temp: string[] = [];
afterAll(async () => {
  await destroyAllNamespaces();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)('LinuxBackend transactions (fault at every operation)', () => {
  beforeAll(async () => {
    await sweepStaleNamespaces();
  });

  it('uses the same network as the libvirt capture', () => {
    // The capture folder is optional here; when present, the inline copy must match it.
    let capture: string | undefined;
    try {
      capture = readFileSync(CAPTURE, 'utf8');
    } catch {
      console.warn('[system/linux-transaction] capture input.xml not found; using the inline copy');
    }
    if (capture !== undefined) {
      // Neither names a uuid, so each parse generates one.
      const { uuid: _a, ...fromCapture } = parseNetwork(capture);
      const { uuid: _b, ...inline } = parseNetwork(INPUT_XML);
      expect(fromCapture).toEqual(inline);
    }
  });

  // Both ways of starting tools: through the spawn agent (default) and spawned from Node.
  for (const [firewall, spawn] of [['nftables', 'agent'], ['iptables', 'agent'], ['nftables', 'direct'], ['iptables', 'direct']] as const) {
    it.concurrent(`${firewall}, ${spawn}: a real failure (the bridge exists) undoes what ran alongside the ip batch`, async () => {
      const ns = await createNamespace('tx');
      const base = mkdtempSync(join(tmpdir(), 'vnt-tx-'));
      chmodSync(base, 0o755);
      temp.push(base);
      const plan = compileNetwork(parseNetwork(INPUT_XML), { firewallBackend: firewall, stateDir: join(base, 'lib'), pidDir: join(base, 'run'), leaseHelper: null });
      const backend = new LinuxBackend({ netns: ns, runDir: join(base, 'virtnet'), spawn });
      // libvirt's global chains exist from an earlier start (they are never removed).
      expect((await backend.apply(plan)).ok).toBe(true);
      expect((await backend.teardown(plan.network)).ok).toBe(true);
      await sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0']);
      await sh('ip', ['-n', ns, 'link', 'add', 'virbr-test', 'type', 'bridge']);
      const before = await snapshotHost(ns, [base]);
      const r = await backend.apply(plan);
      // The files and dnsmasq (and iptables rules) were started while `ip link add` failed.
      expect(r).toMatchObject({ ok: false, rolledBack: true, error: { code: 'EEXIST', operationIndex: 0 } });
      expect(r.error?.message).toContain('File exists');
      expect(r.operations.slice(1).every((o) => o.status === 'skipped')).toBe(true);
      expect(await snapshotHost(ns, [base])).toEqual(before);
      expect((await backend.inspect(plan.network)).active).toBe(false);
    });

    it.concurrent(`${firewall}, ${spawn}: every injected failure leaves the namespace exactly as it was`, async () => {
      const ns = await createNamespace('tx');
      const base = mkdtempSync(join(tmpdir(), 'vnt-tx-'));
      chmodSync(base, 0o755);
      temp.push(base);
      const plan = compileNetwork(parseNetwork(INPUT_XML), {
        firewallBackend: firewall,
        stateDir: join(base, 'lib'),
        pidDir: join(base, 'run'),
        leaseHelper: null,
      });
      const backend = new LinuxBackend({ netns: ns, runDir: join(base, 'virtnet'), spawn });

      // One cycle creates libvirt's global chains (never removed, by libvirt either).
      const first = await backend.apply(plan);
      expect(first.error).toBeUndefined();
      expect((await backend.teardown(plan.network)).ok).toBe(true);

      const resetForwarding = () => sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0']);
      await resetForwarding();
      const before = await snapshotHost(ns, [base]);
      expect(JSON.stringify(before)).not.toContain('virbr-test');

      const n = plan.operations.length;
      for (let index = 0; index < n; index++) {
        const t0 = performance.now();
        backend.executor.injectFault(index);
        const r = await backend.apply(plan);
        expect(r.ok, `fault at ${index}`).toBe(false);
        expect(r.error?.code, `fault at ${index}: ${r.error?.message}`).toBe('EINJECTED');
        expect(r.error?.operationIndex).toBe(index);
        expect(r.rolledBack, `fault at ${index}: ${JSON.stringify(r.undo.filter((u) => u.status !== 'undone'))}`).toBe(true);
        expect(r.operations.slice(0, index).every((o) => o.status === 'undone')).toBe(true);
        expect(r.operations[index]?.status).toBe('failed');
        const after = await snapshotHost(ns, [base]);
        expect(after, `host state after a fault at operation ${index} (${plan.operations[index]!.kind})`).toEqual(before);
        expect((await backend.inspect(plan.network)).active).toBe(false);
        await resetForwarding();
        if (process.env.VNT_VERBOSE) console.log(`fault ${index}: ${(performance.now() - t0).toFixed(0)} ms`);
      }

      backend.executor.injectFault(undefined);
      const ok = await backend.apply(plan);
      expect(ok.error).toBeUndefined();
      expect(ok.ok).toBe(true);
      const again = await backend.apply(plan);
      expect(again).toMatchObject({ ok: true, unchanged: true, processes: 0 });
      expect((await backend.teardown(plan.network)).ok).toBe(true);
      const stoppedAgain = await backend.teardown(plan.network);
      expect(stoppedAgain).toMatchObject({ ok: true, unchanged: true, processes: 0 });
      await resetForwarding();
      expect(await snapshotHost(ns, [base])).toEqual(before);
    }, 120_000);
  }
});
