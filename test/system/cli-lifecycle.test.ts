/**
 * The CLI's apply / status / destroy in a namespace of its own: a document without bridge name,
 * MAC or UUID applied twice is a no-op the second time (the recorded plan's choices are reused),
 * status reports it, destroy removes everything, and destroy again changes nothing.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createNamespace, destroyAllNamespaces, inNs, liveProcesses, sweepStaleNamespaces, systemTestSkipReason } from '../support/netns.js';

const skip = systemTestSkipReason(['dnsmasq', 'nft', 'sysctl']);
if (skip) console.warn(`[system/cli-lifecycle] SKIPPED: ${skip}`);

const DOC = `<network>
  <name>cli-life</name>
  <forward mode='nat'/>
  <bridge stp='off'/>
  <ip address='10.77.0.1' prefix='24'>
    <dhcp><range start='10.77.0.10' end='10.77.0.20'/></dhcp>
  </ip>
</network>
`;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const temp = mkdtempSync(join(tmpdir(), 'virtnet-cli-life-'));
// dnsmasq reads the hosts files after dropping to nobody: the folders must be searchable.
chmodSync(temp, 0o755);
afterAll(async () => {
  await destroyAllNamespaces();
  rmSync(temp, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)('virtnet apply / status / destroy', () => {
  let ns = '';
  const dirs = () => ['--state-dir', join(temp, 'lib'), '--pid-dir', join(temp, 'run'), '--run-dir', join(temp, 'virtnet')];
  const file = join(temp, 'net.xml');

  beforeAll(async () => {
    await sweepStaleNamespaces();
    ns = await createNamespace('cli');
    writeFileSync(file, DOC);
  });

  it('applies, re-applies as a no-op, reports status, destroys, and destroys again as a no-op', async () => {
    const first = await run('apply', '--netns', ns, ...dirs(), file);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^cli-life: started \(\d+ operations, \d+ processes/);

    const link = await inNs(ns, 'ip', ['-j', 'link', 'show', 'type', 'bridge']);
    const bridges = (JSON.parse(link.stdout) as Array<{ ifname: string; address: string }>).map((l) => l.ifname);
    expect(bridges).toEqual(['virbr0']);

    const again = await run('apply', '--netns', ns, ...dirs(), file);
    expect(again.code).toBe(0);
    expect(again.out).toBe('cli-life: already up as planned; nothing changed\n');

    const status = await run('status', '--netns', ns, '--run-dir', join(temp, 'virtnet'), '--json', 'cli-life');
    expect(status.code).toBe(0);
    const state = JSON.parse(status.out);
    expect(state.active).toBe(true);
    expect(state.addresses.map((a: { address: string; prefix: number }) => `${a.address}/${a.prefix}`)).toContain('10.77.0.1/24');
    expect(state.dnsmasq?.running).toBe(true);
    // libvirt's ten nftables rules for a NAT network, read back from the host.
    expect(state.firewall.backend).toBe('nftables');
    expect(state.firewall.rules).toHaveLength(10);
    expect(state.firewall.rules).toContain('ip libvirt_network guest_nat ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 counter masquerade');
    expect(state.firewall.rules).toContain('ip libvirt_network guest_cross iif "virbr0" oif "virbr0" counter accept');

    const down = await run('destroy', '--netns', ns, '--run-dir', join(temp, 'virtnet'), file);
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/^cli-life: stopped/);
    const after = await inNs(ns, 'ip', ['-j', 'link', 'show', 'type', 'bridge']);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(await liveProcesses(ns)).toEqual([]);
    expect(existsSync(join(temp, 'lib')) ? readdirSync(join(temp, 'lib')) : []).toEqual([]);

    const twice = await run('destroy', '--netns', ns, '--run-dir', join(temp, 'virtnet'), 'cli-life');
    expect(twice.code).toBe(0);
    expect(twice.out).toBe('cli-life: already down; nothing changed\n');

    const inactive = await run('status', '--netns', ns, '--run-dir', join(temp, 'virtnet'), 'cli-life');
    expect(inactive.code).toBe(3);
    expect(inactive.out).toMatch(/^network cli-life: inactive/);
  }, 60_000);
});
