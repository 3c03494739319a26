/**
 * Escaping, field by field: values full of quotes, ampersands, angle brackets, newlines, tabs
 * and control characters give well-formed XML (checked by xmllint when installed, and by our
 * parser) that reads back as the same value, minus the control characters libvirt drops.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defineNetwork, type Network, type NetworkInit } from '../../src/model/index.js';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';

const UUID = '81ff0d90-c91e-6742-64da-4a736edb9a9b';
const NASTY = `a'b"c<d>e&f&amp;g]]>h\ti\nj\rk\u0001l\u0008m\u000bn\u000co\u000ep\u0019q\u001fré😀`;
/** What reads back: control characters are dropped (TAB, LF, CR are not control characters here). */
const CLEAN = NASTY.replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f]/g, '');
/** For fields that refuse newlines, or are character data where a lone CR is not kept by XML. */
const NO_NEWLINE = NASTY.replace(/[\n\r]/g, ' ');
const NO_NEWLINE_CLEAN = CLEAN.replace(/[\n\r]/g, ' ');

function base(): NetworkInit {
  return { name: 'n', uuid: UUID, forward: { mode: 'nat' }, ips: [{ address: '10.0.0.1', prefix: 24 }] };
}

interface Field {
  field: string;
  value?: string;
  expected?: string;
  build: (v: string) => NetworkInit;
  read: (n: Network) => string | undefined;
}

/** Every string field the formatter writes, with a model that carries `v` in it. */
const FIELDS: Field[] = [
  { field: 'name', value: NO_NEWLINE.replace(/\//g, ''), expected: NO_NEWLINE_CLEAN, build: (v) => ({ ...base(), name: v }), read: (n) => n.name },
  { field: 'title', value: NO_NEWLINE, expected: NO_NEWLINE_CLEAN, build: (v) => ({ ...base(), title: v }), read: (n) => n.title },
  { field: 'description', build: (v) => ({ ...base(), description: v }), read: (n) => n.description },
  {
    field: 'forward interface dev',
    build: (v) => ({ ...base(), forward: { mode: 'bridge', interfaces: [{ dev: v }] }, ips: [] }),
    read: (n) => n.forward?.interfaces?.[0]?.dev,
  },
  { field: 'pf dev', build: (v) => ({ ...base(), forward: { mode: 'passthrough', pf: { dev: v } }, ips: [] }), read: (n) => n.forward?.pf?.dev },
  {
    field: 'driver model',
    build: (v) => ({ ...base(), forward: { mode: 'hostdev', driver: { name: 'vfio', model: v }, pf: { dev: 'eth0' } }, ips: [] }),
    read: (n) => n.forward?.driver?.model,
  },
  { field: 'bridge name', build: (v) => ({ ...base(), bridge: { name: v } }), read: (n) => n.bridge?.name },
  { field: 'bridge zone', build: (v) => ({ ...base(), bridge: { zone: v } }), read: (n) => n.bridge?.zone },
  { field: 'domain name (raw in libvirt)', build: (v) => ({ ...base(), domain: { name: v } }), read: (n) => n.domain?.name },
  { field: 'tftp root', build: (v) => ({ ...base(), ips: [{ address: '10.0.0.1', prefix: 24, tftp: { root: v } }] }), read: (n) => n.ips?.[0]?.tftp?.root },
  {
    field: 'bootp file',
    build: (v) => ({ ...base(), ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { hosts: [{ name: 'h', ip: '10.0.0.2' }], bootp: { file: v } } }] }),
    read: (n) => n.ips?.[0]?.dhcp?.bootp?.file,
  },
  {
    field: 'dhcp host name (raw in libvirt)',
    value: `h${NASTY}`,
    expected: `h${CLEAN}`,
    build: (v) => ({ ...base(), ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { hosts: [{ name: v, ip: '10.0.0.2' }] } }] }),
    read: (n) => n.ips?.[0]?.dhcp?.hosts?.[0]?.name,
  },
  { field: 'dns forwarder domain', build: (v) => ({ ...base(), dns: { forwarders: [{ domain: v }] } }), read: (n) => n.dns?.forwarders?.[0]?.domain },
  { field: 'dns txt value', build: (v) => ({ ...base(), dns: { txts: [{ name: 'k', value: v }] } }), read: (n) => n.dns?.txts?.[0]?.value },
  {
    field: 'dns txt name',
    value: NASTY.replace(/[ ,]/g, ''),
    expected: CLEAN.replace(/[ ,]/g, ''),
    build: (v) => ({ ...base(), dns: { txts: [{ name: v, value: 'x' }] } }),
    read: (n) => n.dns?.txts?.[0]?.name,
  },
  { field: 'dns srv domain', build: (v) => ({ ...base(), dns: { srvs: [{ service: 's', protocol: 'tcp', domain: v }] } }), read: (n) => n.dns?.srvs?.[0]?.domain },
  { field: 'dns srv target', build: (v) => ({ ...base(), dns: { srvs: [{ service: 's', protocol: 'tcp', target: v }] } }), read: (n) => n.dns?.srvs?.[0]?.target },
  {
    field: 'dns hostname',
    value: NO_NEWLINE,
    expected: NO_NEWLINE_CLEAN,
    build: (v) => ({ ...base(), dns: { hosts: [{ ip: '10.0.0.3', hostnames: [v] }] } }),
    read: (n) => n.dns?.hosts?.[0]?.hostnames[0],
  },
  {
    field: 'portgroup name (raw in libvirt)',
    build: (v) => ({ ...base(), portgroups: [{ name: v }] }),
    read: (n) => n.portgroups?.[0]?.name,
  },
  {
    field: 'virtualport profileid (raw in libvirt)',
    value: NASTY.slice(0, 30),
    expected: NASTY.slice(0, 30).replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f]/g, ''),
    build: (v) => ({ ...base(), forward: { mode: 'bridge' }, ips: [], virtualport: { type: 'openvswitch', parameters: { profileid: v } } }),
    read: (n) => n.virtualport?.parameters?.profileid,
  },
  { field: 'dnsmasq option value', build: (v) => ({ ...base(), dnsmasqOptions: [v] }), read: (n) => n.dnsmasqOptions?.[0] },
  {
    field: 'metadata attribute',
    build: (v) => ({ ...base(), metadata: [{ type: 'element', name: 'a:x', attributes: [{ name: 'xmlns:a', value: 'urn:a' }, { name: 'k', value: v }], children: [] }] }),
    read: (n) => n.metadata?.[0]?.attributes.find((a) => a.name === 'k')?.value,
  },
  {
    field: 'metadata text',
    build: (v) => ({ ...base(), metadata: [{ type: 'element', name: 'a:x', attributes: [{ name: 'xmlns:a', value: 'urn:a' }], children: [{ type: 'text', text: v }] }] }),
    read: (n) => {
      const child = n.metadata?.[0]?.children[0];
      return child?.type === 'text' ? child.text : undefined;
    },
  },
];

function xmllintAvailable(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveXmllint = xmllintAvailable();
if (!haveXmllint) console.warn('[xml escape] xmllint not installed: well-formedness is checked by our parser only');

describe('escaping of every string field', () => {
  it.each(FIELDS.map((f) => [f.field, f] as const))('%s', (_name, f) => {
    const value = f.value ?? NASTY;
    const xml = formatNetwork(defineNetwork(f.build(value)));
    // Never a raw control character, never a raw quote of the attribute delimiter, and so on:
    // the document must be well-formed.
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    if (haveXmllint) {
      const run = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
    const back = parseNetwork(xml, { generateUuid: false });
    // A lone CR in character data reads back as LF (XML end-of-line handling) unless written as
    // a character reference; we write &#13;, so CR survives everywhere.
    expect(f.read(back)).toBe(f.expected ?? CLEAN);
  });

  it('leaves values without special characters untouched', () => {
    const xml = formatNetwork(defineNetwork({ ...base(), name: 'plain-name_1.0', dns: { txts: [{ name: 'k', value: 'v=1;x' }] } }));
    expect(xml).toContain('<name>plain-name_1.0</name>');
    expect(xml).toContain("<txt name='k' value='v=1;x'/>");
  });

  it('writes the exact entities libvirt writes', () => {
    const xml = formatNetwork(defineNetwork({ ...base(), name: `a&b'c"d<e>f\u0001g`, dns: { txts: [{ name: 'k', value: `'"<>&` }] } }));
    expect(xml).toContain('<name>a&amp;b&apos;c&quot;d&lt;e&gt;fg</name>');
    expect(xml).toContain("<txt name='k' value='&apos;&quot;&lt;&gt;&amp;'/>");
  });

  it("keeps libvirt's raw bytes for raw fields that need no escaping, escaping only what would break the document", () => {
    const xml = formatNetwork(
      defineNetwork({ ...base(), portgroups: [{ name: `a"b>c` }, { name: `o'neil & <co>` }], domain: { name: `x"y` } }),
    );
    expect(xml).toContain(`<portgroup name='a"b>c'>`);
    expect(xml).toContain(`<portgroup name='o&apos;neil &amp; &lt;co>'>`);
    expect(xml).toContain(`<domain name='x"y'/>`);
  });
});

describe('tri-state values the parser must keep', () => {
  it("keeps <nat ipv6='no'> (libvirt writes it back)", () => {
    const xml = formatNetwork(defineNetwork({ ...base(), forward: { mode: 'nat', nat: { ipv6: false } } }));
    expect(xml).toContain("<nat ipv6='no'/>");
    expect(formatNetwork(parseNetwork(xml))).toBe(xml);
  });
});
