/**
 * No string from the model may leave its line or field in dnsmasq's files. Explicit cases for
 * each guard, then a property test (fixed seed) that fills every string field with arbitrary text
 * full of newlines, commas, slashes, quotes, `#`, NULs and over-long runs, and checks that either a
 * CompileError is thrown or every produced line reads back, as dnsmasq reads it, to the intended
 * values in the intended fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../src/compile/errors.js';
import { dnsmasqConfig, escapeName, type DnsmasqOptions } from '../../src/compile/dnsmasq/index.js';
import { defineNetwork, type Network, type NetworkInit } from '../../src/model/index.js';
import { fields, networkOf, type Fields } from './dnsmasq-arbitraries.js';

const base: NetworkInit = {
  name: 'n',
  forward: { mode: 'nat' },
  ips: [{ address: '192.168.122.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }] } }],
};

function refusal(init: NetworkInit, options: Partial<DnsmasqOptions> = {}): CompileError {
  try {
    dnsmasqConfig(defineNetwork(init), { bridge: 'virbr0', ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return e as CompileError;
  }
  throw new Error('expected a CompileError');
}

describe('dnsmasq guards', () => {
  it.each<[string, NetworkInit, string]>([
    ['newline in a txt value', { ...base, dns: { txts: [{ name: 'a', value: 'x\ndhcp-script=/bin/sh' }] } }, '/network/dns/txt[1]/@value'],
    ['carriage return in the domain', { ...base, domain: { name: 'a\rb' } }, '/network/domain/@name'],
    ['NUL in the network name', { ...base, name: 'a\0b' }, '/network/name'],
    ["'/' in a forwarder domain", { ...base, dns: { forwarders: [{ domain: 'a/b', addr: '10.0.0.1' }] } }, '/network/dns/forwarder[1]/@domain'],
    ["',' in the domain", { ...base, domain: { name: 'a,10.0.0.0/8' } }, '/network/domain/@name'],
    ["',' in a txt name", { ...base, dns: { txts: [{ name: 'a,b', value: 'v' }] } }, '/network/dns/txt[1]/@name'],
    ["',' in an SRV target", { ...base, dns: { srvs: [{ service: 's', protocol: 'tcp', target: 't,9' }] } }, '/network/dns/srv[1]/@target'],
    ["',' in the TFTP root", { ...base, ips: [{ address: '10.0.0.1', prefix: 8, tftp: { root: '/srv,eth0' } }] }, '/network/ip[1]/tftp/@root'],
    ["',' in the boot file", { ...base, ips: [{ ...base.ips![0]!, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }], bootp: { file: 'a,b' } } }] }, '/network/ip[1]/dhcp/bootp/@file'],
    ["',' in a DHCP host name", { ...base, ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { hosts: [{ name: 'a,ignore', ip: '10.0.0.2' }] } }] }, '/network/ip[1]/dhcp/host[1]/@name'],
    ["':' in a DHCP host name", { ...base, ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { hosts: [{ name: 'set:x', ip: '10.0.0.2' }] } }] }, '/network/ip[1]/dhcp/host[1]/@name'],
    ['a DHCP host name that is a lease time', { ...base, ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { hosts: [{ name: '12h', ip: '10.0.0.2' }] } }] }, '/network/ip[1]/dhcp/host[1]/@name'],
    ["',' in a DHCPv6 id", { ...base, ips: [{ family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ id: '1,2', ip: 'fd00::2' }] } }] }, '/network/ip[1]/dhcp/host[1]/@id'],
    ['a space in a DNS host name', { ...base, dns: { hosts: [{ ip: '10.0.0.1', hostnames: ['a b'] }] } }, '/network/dns/host[1]/hostname[1]'],
    ['a quote in a txt value', { ...base, dns: { txts: [{ name: 'a', value: 'say "hi"' }] } }, '/network/dns/txt[1]/@value'],
    ["' #' in a txt value (a dnsmasq comment)", { ...base, dns: { txts: [{ name: 'a', value: 'x #y' }] } }, '/network/dns/txt[1]/@value'],
    ['trailing space in a txt value', { ...base, dns: { txts: [{ name: 'a', value: 'x ' }] } }, '/network/dns/txt[1]/@value'],
    ['a boot file that dnsmasq would read as a tag', { ...base, ips: [{ ...base.ips![0]!, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }], bootp: { file: 'tag:x' } } }] }, '/network/ip[1]/dhcp/bootp/@file'],
    ['a tab in the boot file', { ...base, ips: [{ ...base.ips![0]!, dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.9' }], bootp: { file: 'a\tb' } } }] }, '/network/ip[1]/dhcp/bootp/@file'],
    ['newline in a dnsmasq option', { ...base, dnsmasqOptions: ['a\nb'] }, '/network/dnsmasq:options/dnsmasq:option[1]/@value'],
    ['a line dnsmasq would split (> 1024 bytes)', { ...base, dnsmasqOptions: [`txt-record=a,${'x'.repeat(1012)}dhcp-script=/bin/sh`] }, '/network/dnsmasq:options/dnsmasq:option[1]/@value'],
    ['a hosts-file line dnsmasq would split', { ...base, ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { hosts: [{ name: 'h', ip: '10.0.0.2' }, { name: `h${'x'.repeat(1020)}`, ip: '10.0.0.3' }] } }] }, '/network/ip[1]/dhcp/host[2]'],
    ['an over-long DNS host name', { ...base, dns: { hosts: [{ ip: '10.0.0.1', hostnames: ['y'.repeat(1025)] }] } }, '/network/dns/host[1]/hostname[1]'],
  ])('refuses %s', (_what, init, path) => {
    const e = refusal(init);
    expect(e.code).toBe('dnsmasq.unsafe-value');
    expect(e.path).toBe(path);
  });

  it('accepts an addnhosts line with many names: dnsmasq reads that file token by token', () => {
    const hostnames = Array.from({ length: 200 }, (_, i) => `name-${i}.example.com`);
    const files = dnsmasqConfig(defineNetwork({ ...base, dns: { hosts: [{ ip: '10.0.0.1', hostnames }] } }), { bridge: 'virbr0' });
    expect(files.addnhosts).toBe(`10.0.0.1\t${hostnames.join('\t')}\t\n`);
  });

  it('refuses unsafe option values', () => {
    expect(refusal(base, { bridge: 'br0,lo' }).path).toBe('options.bridge');
    expect(refusal(base, { bridge: 'virbr*' }).message).toContain("'*'");
    expect(refusal(base, { stateDir: '/tmp/a\nb' }).path).toBe('options.stateDir');
    expect(refusal(base, { pidfile: '/run/x #.pid' }).path).toBe('options.pidfile');
  });

  it('refuses a forged (non-MAC) mac and a forged address that bypassed the codecs', () => {
    const forged = (patch: object): Network => ({ ...defineNetwork(base), ...patch }) as Network;
    const mac = forged({ ips: [{ address: '10.0.0.1', prefix: 8, dhcp: { hosts: [{ mac: '00:11\n', ip: '10.0.0.2' }] } }] });
    expect(() => dnsmasqConfig(mac, { bridge: 'virbr0' })).toThrowError(CompileError);
    const addr = forged({ dns: { forwarders: [{ addr: '10.0.0.1\nport=53' }] } });
    expect(() => dnsmasqConfig(addr, { bridge: 'virbr0' })).toThrowError(/is not an IP address/);
  });

  it('accepts what libvirt accepts: spaces, quotes and commas where they stay in their field', () => {
    const files = dnsmasqConfig(
      defineNetwork({
        ...base,
        name: `it's "quoted" & <ok>`,
        dns: { txts: [{ name: 'k', value: 'two, strings' }] },
        dnsmasqOptions: ['cname=*.a.example,"b.example"'],
      }),
      { bridge: 'virbr0' },
    );
    expect(files.conf).toContain('##    virsh net-edit it\'s "quoted" & <ok>\n');
    expect(files.conf).toContain('txt-record=k,two, strings\n');
    expect(files.conf).toContain('dhcp-hostsfile=/var/lib/libvirt/dnsmasq/it&apos;s &quot;quoted&quot; &amp; &lt;ok&gt;.hostsfile\n');
    expect(files.conf).toContain('cname=*.a.example,"b.example"\n');
  });
});

// --- property test --------------------------------------------------------------------------

/**
 * What dnsmasq's conf reader (option.c read_file) does to a line: would it read it unchanged?
 * Its whitespace is C `isspace` (ASCII only; UTF-8 bytes are never spaces).
 */
function readsUnchanged(line: string): boolean {
  if (Buffer.byteLength(line, 'utf8') > 1024) return false;
  if (line.includes('"')) return false; // quotes are removed
  if (/[\x00-\x1f\x7f]/.test(line)) return false; // control characters, tabs become spaces
  if (/[ \t\n\v\f\r]#/.test(line) || line.startsWith('#')) return false; // comments
  return !/^[ \t\n\v\f\r]|[ \t\n\v\f\r]$/.test(line); // leading and trailing spaces are dropped
}

function checkOutput(f: Fields, conf: string, hostsfile: string | undefined, addnhosts: string | undefined): void {
  const lines = conf.split('\n');
  expect(lines.pop()).toBe('');
  const noTarget = f.target === '' || f.target === '.';
  // Header comment, with the raw name, on its own line.
  expect(lines[2]).toBe(`##    virsh net-edit ${f.name}`);
  const rest = lines.slice(6);
  const expected = [
    'strict-order',
    `server=/${f.fwdDomain}/10.0.0.53`,
    `domain=${f.domain}`,
    'expand-hosts',
    `pid-file=${f.pidfile}`,
    'except-interface=lo',
    'bind-dynamic',
    `interface=${f.bridge}`,
    `txt-record=${f.txtName},${f.txtValue}`,
    // An empty or "." target means "no such service": no target, port, priority or weight.
    `srv-host=_${f.service}._${f.protocol}.${f.srvDomain}${noTarget ? '' : `,${f.target},1,2,3`}`,
    'enable-tftp',
    `tftp-root=${f.tftpRoot}`,
    'dhcp-range=192.168.122.2,192.168.122.9,255.255.255.0',
    'dhcp-no-override',
    'dhcp-authoritative',
    `dhcp-boot=${f.bootFile}`,
    'dhcp-range=fd00::1,static,64',
    'dhcp-lease-max=8',
    `dhcp-hostsfile=${f.stateDir}/${escapeName(f.name)}.hostsfile`,
    `addn-hosts=${f.stateDir}/${escapeName(f.name)}.addnhosts`,
    'enable-ra',
    f.option,
  ];
  // Same lines, so no value added or split a line.
  expect(rest).toEqual(expected);
  // dnsmasq reads every generated line as written (the verbatim option is the user's own line).
  for (const line of rest.slice(0, -1)) expect(readsUnchanged(line), line).toBe(true);
  expect(Buffer.byteLength(f.option, 'utf8')).toBeLessThanOrEqual(1024);
  // Each value stays in its field.
  const fieldsOf = (line: string, sep: string): string[] => line.slice(line.indexOf('=') + 1).split(sep);
  expect(fieldsOf(rest[1]!, '/')).toEqual(['', f.fwdDomain, '10.0.0.53']);
  expect(fieldsOf(rest[2]!, ',')).toEqual([f.domain]);
  expect(fieldsOf(rest[7]!, ',')).toEqual([f.bridge]);
  expect(fieldsOf(rest[8]!, ',')[0]).toBe(f.txtName);
  const srvHead = `_${f.service}._${f.protocol}.${f.srvDomain}`;
  expect(fieldsOf(rest[9]!, ',')).toEqual(noTarget ? [srvHead] : [srvHead, f.target, '1', '2', '3']);
  expect(fieldsOf(rest[11]!, ',')).toEqual([f.tftpRoot]);
  expect(fieldsOf(rest[15]!, ',')).toEqual([f.bootFile]);
  expect(f.bootFile).not.toMatch(/^(tag|net):/);
  expect(f.bridge).not.toContain('*');
  // Hosts file: two lines, three fields each, names that dnsmasq reads as names.
  const hostLines = hostsfile!.split('\n');
  expect(hostLines).toEqual([
    `${f.mac},192.168.122.10,${f.hostName}`,
    `${f.hostName},192.168.122.11`,
    `id:${f.id},${f.host6Name},[fd00::10]`,
    '',
  ]);
  for (const line of hostLines.slice(0, 3)) expect(readsUnchanged(line), line).toBe(true);
  expect(hostLines[0]!.split(',')).toEqual([f.mac, '192.168.122.10', f.hostName]);
  expect(hostLines[1]!.split(',')).toEqual([f.hostName, '192.168.122.11']);
  expect(hostLines[2]!.split(',')).toEqual([`id:${f.id}`, f.host6Name, '[fd00::10]']);
  for (const name of [f.hostName, f.host6Name]) {
    expect(name).toMatch(/^[A-Za-z_][^:,]*$/);
    expect(['infinite', 'ignore']).not.toContain(name);
  }
  // addnhosts: one line, whitespace-separated tokens, no comment.
  expect(addnhosts).toBe(`192.168.122.1\t${f.dnsName1}\t${f.dnsName2}\t\n`);
  expect(addnhosts!.replace(/[ \t\n\v\f\r]+$/, '').split(/[ \t\n\v\f\r]+/)).toEqual(['192.168.122.1', f.dnsName1, f.dnsName2]);
  expect(addnhosts).not.toContain('#');
}

describe('dnsmasq output under arbitrary strings (property)', () => {
  it('throws CompileError or keeps every value in its line and field', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fields, (f) => {
        let files;
        try {
          files = dnsmasqConfig(networkOf(f), { bridge: f.bridge, stateDir: f.stateDir, pidfile: f.pidfile });
        } catch (e) {
          if (!(e instanceof CompileError)) throw e;
          expect(e.code).toMatch(/^dnsmasq\./);
          expect(e.path).not.toBe('');
          refused++;
          return;
        }
        accepted++;
        checkOutput(f, files.conf, files.hostsfile, files.addnhosts);
      }),
      { seed: 20261130, numRuns: 2000 },
    );
    // Both outcomes must actually occur, or the property proves little.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it('every single field is guarded: one bad value among safe ones is refused', () => {
    const safe: Fields = {
      name: 'n', bridge: 'virbr0', stateDir: '/var/lib/libvirt/dnsmasq', pidfile: '/run/n.pid', domain: 'lan',
      fwdDomain: 'corp', txtName: 't', txtValue: 'v', service: 's', protocol: 'tcp', srvDomain: 'lan',
      target: 'host.lan', tftpRoot: '/srv/tftp', bootFile: 'pxe.0', mac: '52:54:00:00:00:01', hostName: 'h',
      id: '0:1', host6Name: 'h6', dnsName1: 'gw', dnsName2: 'router', option: 'log-dhcp',
    };
    const files = dnsmasqConfig(networkOf(safe), { bridge: safe.bridge, stateDir: safe.stateDir, pidfile: safe.pidfile });
    checkOutput(safe, files.conf, files.hostsfile, files.addnhosts);
    for (const key of Object.keys(safe) as Array<keyof Fields>) {
      const bad = { ...safe, [key]: `${safe[key]}\ninjected=1` };
      expect(() => dnsmasqConfig(networkOf(bad), { bridge: bad.bridge, stateDir: bad.stateDir, pidfile: bad.pidfile }), key).toThrowError(CompileError);
    }
  });
});
