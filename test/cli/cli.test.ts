import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { compileNetwork } from '../../src/compile/index.js';
import { parseNetwork } from '../../src/xml/index.js';
import { announceCorpus, corpusDir, readCorpus } from '../support/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'virtnet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const NAT = `<network>
  <name>lab</name>
  <uuid>0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6</uuid>
  <forward mode="nat"/>
  <bridge name="virbr7"/>
  <mac address="52:54:00:AB:CD:EF"/>
  <ip address="10.7.0.1" prefix="24">
    <dhcp>
      <range start="10.7.0.100" end="10.7.0.199"/>
      <host mac="52:54:00:00:00:01" name="db" ip="10.7.0.10"/>
    </dhcp>
  </ip>
</network>
`;

describe('virtnet format', () => {
  it('prints the libvirt-formatted document', async () => {
    const r = await run('format', file('lab.xml', NAT));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(`<network>
  <name>lab</name>
  <uuid>0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6</uuid>
  <forward mode='nat'/>
  <bridge name='virbr7' stp='on' delay='0'/>
  <mac address='52:54:00:ab:cd:ef'/>
  <ip address='10.7.0.1' prefix='24'>
    <dhcp>
      <range start='10.7.0.100' end='10.7.0.199'/>
      <host mac='52:54:00:00:00:01' name='db' ip='10.7.0.10'/>
    </dhcp>
  </ip>
</network>
`);
  });

  it('reports a bad value as FILE:LINE:COL: PATH: message with exit 1', async () => {
    const path = file('bad-mac.xml', NAT.replace('mac="52:54:00:00:00:01"', 'mac="zz:54:00:00:00:01"'));
    const r = await run('format', path);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:\\d+: /network/ip(\\[1\\])?/dhcp/host(\\[1\\])?/@mac: .*zz:54:00:00:00:01.*\\n$`));
  });

  it('reports malformed XML with its position', async () => {
    const path = file('broken.xml', '<network>\n  <name>x</name>\n  <ip address="1.2.3.4">\n</network>\n');
    const r = await run('format', path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.xml:4:\d+: /);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('format')).code).toBe(2);
    const r = await run('format', '--bogus', 'x.xml');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown option --bogus');
    expect((await run('frobnicate')).code).toBe(2);
  });
});

describe('virtnet validate', () => {
  it('says valid and exits 0 for a good network', async () => {
    const r = await run('validate', file('ok.xml', NAT));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok\.xml: valid/);
  });

  it('prints problems and exits 1', async () => {
    // A second IPv4 <ip> with DHCP: the parser accepts it, libvirt's define refuses it.
    const twoDhcp = NAT.replace(
      '</network>',
      `  <ip address="10.8.0.1" prefix="24"><dhcp><range start="10.8.0.2" end="10.8.0.9"/></dhcp></ip>\n</network>`,
    );
    const r = await run('validate', file('two-dhcp.xml', twoDhcp));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/two-dhcp\.xml:13:38: \/network\/ip\[2\]\/dhcp: error: /);
    expect(r.err).toMatch(/dhcp/i);
  });
});

describe('virtnet plan', () => {
  it('--json prints the same plan compileNetwork returns', async () => {
    const path = file('plan.xml', NAT);
    const r = await run('plan', '--json', '--firewall', 'iptables', path);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    const expected = compileNetwork(parseNetwork(NAT), { firewallBackend: 'iptables' });
    expect(plan.operations.map((o: { kind: string }) => o.kind)).toEqual(expected.operations.map((o) => o.kind));
    expect(plan.bridge).toBe('virbr7');
    expect(plan.firewallBackend).toBe('iptables');
  });

  it('prints one line per operation', async () => {
    const r = await run('plan', file('plan2.xml', NAT));
    expect(r.code).toBe(0);
    const plan = compileNetwork(parseNetwork(NAT));
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBe(plan.operations.length + 1);
    expect(r.out).toContain('virbr7');
    expect(r.out).toMatch(/10\.7\.0\.1\/24/);
  });

  it('refuses --firewall values it does not know', async () => {
    const r = await run('plan', '--firewall', 'pf', file('plan3.xml', NAT));
    expect(r.code).toBe(2);
  });
});

describe('virtnet dnsmasq', () => {
  it('prints the conf, the hosts file and an empty addn-hosts file', async () => {
    const path = file('dns.xml', NAT);
    const conf = await run('dnsmasq', path);
    expect(conf.code).toBe(0);
    expect(conf.out).toContain('interface=virbr7\n');
    expect(conf.out).toContain('dhcp-range=10.7.0.100,10.7.0.199,255.255.255.0\n');
    const hosts = await run('dnsmasq', '--hostsfile', path);
    expect(hosts.out).toBe('52:54:00:00:00:01,10.7.0.10,db\n');
    const addn = await run('dnsmasq', '--addnhosts', path);
    expect(addn.code).toBe(0);
    expect(addn.out).toBe('');
  });
});

describe('virtnet firewall', () => {
  announceCorpus('cli firewall');
  it.skipIf(!corpusDir)('--base prints the global set-up libvirt runs first', async () => {
    for (const backend of ['iptables', 'nftables'] as const) {
      const r = await run('firewall', '--base', '--backend', backend);
      expect(r.code).toBe(0);
      expect(r.out).toBe(readCorpus(`networkxml2firewalldata/base.${backend}`));
    }
  });

  it.skipIf(!corpusDir)('prints libvirt command text for a corpus network', async () => {
    const input = join(corpusDir ?? '', 'networkxml2firewalldata/nat-default.xml');
    for (const backend of ['iptables', 'nftables'] as const) {
      const r = await run('firewall', '--backend', backend, input);
      expect(r.code).toBe(0);
      expect(r.out).toBe(readCorpus(`networkxml2firewalldata/nat-default-linux.${backend}`));
    }
  });

  it('needs --backend', async () => {
    expect((await run('firewall', file('fw.xml', NAT))).code).toBe(2);
  });
});

describe('virtnet apply --dry-run', () => {
  it('prints the plan without touching the host', async () => {
    const r = await run('apply', '--dry-run', file('dry.xml', NAT));
    expect(r.code).toBe(0);
    // The same text as `virtnet plan`: a dry run compiles and describes, nothing more.
    expect(r.out).toBe((await run('plan', file('dry2.xml', NAT))).out);
  });
});
