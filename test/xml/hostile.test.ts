/**
 * Hostile and odd input: every case ends in a model or a typed NetworkXmlError, never a hang, a
 * crash or a raw exception; string fields carry exactly what the document says.
 */
import { describe, expect, it } from 'vitest';
import { NETWORK_XML_ERROR_CODES, NetworkXmlError, parseNetwork, type ParseOptions } from '../../src/xml/index.js';

function errorOf(xml: string | Uint8Array, options?: ParseOptions): NetworkXmlError {
  try {
    parseNetwork(xml, options);
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkXmlError);
    expect(NETWORK_XML_ERROR_CODES).toContain((e as NetworkXmlError).code);
    return e as NetworkXmlError;
  }
  throw new Error('expected a NetworkXmlError');
}

describe('malformed XML', () => {
  // Positions are where saxes notices the problem: the last character it read.
  it.each([
    ['unclosed element', '<network>\n  <name>x</name>\n  <ip address="1.2.3.4">\n</network>', 4, 10],
    ['mismatched close tag', '<network><name>x</nam></network>', 1, 22],
    ['unquoted attribute', '<network a=b><name>x</name></network>', 1, 12],
    ['duplicate attribute', "<network a='1' a='2'><name>x</name></network>", 1, 21],
    ['text after the root', '<network><name>x</name></network>junk', 1, 38],
    ['two roots', '<network><name>x</name></network><network/>', 1, 42],
    ['empty document', '', 1, 1],
    ['unterminated comment', '<network><name>x</name><!-- ', 1, 28],
    ['raw < in attribute', "<network x='<'><name>x</name></network>", 1, 13],
    // saxes reads "& b</name></network>" as an unfinished entity and notices at the end.
    ['bare ampersand', '<network><name>a & b</name></network>', 1, 37],
    ['undefined entity', '<network><name>&lol;</name></network>', 1, 20],
  ])('%s → xml.malformed with position', (_t, xml, line, column) => {
    const err = errorOf(xml);
    expect([err.code, err.line, err.column]).toEqual(['xml.malformed', line, column]);
    expect(err.message).toMatch(/^The document is not well-formed XML: .+\.$/);
  });

  it('refuses a root other than <network>', () => {
    const err = errorOf("<?xml version='1.0'?>\n<domain><name>x</name></domain>");
    expect([err.code, err.path, err.line, err.column]).toEqual(['xml.root', '/', 2, 1]);
  });
});

describe('DOCTYPE and entities', () => {
  it('refuses any DOCTYPE', () => {
    const err = errorOf('<?xml version="1.0"?>\n<!DOCTYPE network>\n<network><name>x</name></network>');
    expect([err.code, err.line, err.column]).toEqual(['xml.doctype', 2, 1]);
  });

  it('refuses billion laughs without expanding anything', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const started = performance.now();
    const err = errorOf(`<!DOCTYPE network [${dtd}]><network><name>&lol9;</name></network>`);
    expect(err.code).toBe('xml.doctype');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses external entities (no file is ever read)', () => {
    for (const doc of [
      '<!DOCTYPE network [<!ENTITY x SYSTEM "file:///etc/passwd">]><network><name>&x;</name></network>',
      '<!DOCTYPE network SYSTEM "http://example.com/net.dtd"><network><name>x</name></network>',
      '<!DOCTYPE network [<!ENTITY % p SYSTEM "http://example.com/p.dtd"> %p;]><network><name>x</name></network>',
    ])
      expect(errorOf(doc).code).toBe('xml.doctype');
  });

  it('expands the predefined entities and character references', () => {
    expect(parseNetwork('<network><name>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</name></network>').name).toBe(`<>&'"AB`);
  });
});

describe('size limits', () => {
  it('accepts a 10 MB attribute within the default limit and keeps it whole', () => {
    const big = 'a'.repeat(10 * 1024 * 1024);
    const net = parseNetwork(`<network><name>n</name><bridge name='${big}'/></network>`, { generateUuid: false });
    expect(net.bridge?.name?.length).toBe(big.length);
  });

  it('refuses input over maxBytes before parsing (string and bytes)', () => {
    const huge = `<network><name>${'x'.repeat(16 * 1024 * 1024)}</name></network>`;
    expect(errorOf(huge).code).toBe('xml.too-large');
    expect(errorOf(new Uint8Array(2049), { maxBytes: 2048 }).code).toBe('xml.too-large');
    // Multi-byte characters count as their UTF-8 length.
    expect(errorOf(`<network><name>${'é'.repeat(600)}</name></network>`, { maxBytes: 1000 }).code).toBe('xml.too-large');
    expect(parseNetwork(`<network><name>${'é'.repeat(400)}</name></network>`, { maxBytes: 1000 }).name.length).toBe(400);
  });

  it('refuses 100,000 nested elements with xml.too-deep, without overflowing the stack', () => {
    const doc = `<network><name>n</name>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</network>`;
    const err = errorOf(doc);
    expect([err.code, err.line, err.column]).toEqual(['xml.too-deep', 1, 24 + 63 * 3]);
  });

  it('survives 100,000 nested elements when the depth limit is lifted', () => {
    const doc = `<network><name>n</name>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</network>`;
    expect(parseNetwork(doc, { maxDepth: 1_000_000, generateUuid: false })).toEqual({ name: 'n' });
    expect(() => parseNetwork(doc, { maxDepth: 1_000_000, strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown.element', path: '/network/a[1]' }),
    );
    // Keeping the unknown subtree may exceed the call stack; it still ends in a typed error.
    try {
      parseNetwork(doc, { maxDepth: 1_000_000, preserveUnknown: true });
    } catch (e) {
      expect(e).toBeInstanceOf(NetworkXmlError);
    }
  });

  it('refuses more elements than maxElements', () => {
    const doc = `<network><name>n</name>${'<x/>'.repeat(50)}</network>`;
    expect(errorOf(doc, { maxElements: 20 }).code).toBe('xml.too-many-elements');
    expect(parseNetwork(doc, { maxElements: 52, generateUuid: false }).name).toBe('n');
  });
});

describe('characters and encodings', () => {
  it.each([
    ['a control character in text', '<network><name>a\u0001b</name></network>'],
    ['a control character in an attribute', "<network><name>n</name><bridge name='a\u0008b'/></network>"],
    ['a control character reference', '<network><name>a&#1;b</name></network>'],
    ['a NUL', '<network><name>a\u0000b</name></network>'],
    ['U+FFFE', '<network><name>a\ufffeb</name></network>'],
  ])('refuses %s (not an XML 1.0 character)', (_t, doc) => {
    expect(errorOf(doc).code).toBe('xml.malformed');
  });

  it('refuses unpaired surrogates in string input', () => {
    expect(errorOf('<network><name>a\ud800b</name></network>').code).toBe('xml.encoding');
    expect(errorOf('<network><name>a\udc00</name></network>').code).toBe('xml.encoding');
    expect(parseNetwork('<network><name>a\ud83d\ude00</name></network>').name).toBe('a😀');
  });

  it.each([
    ['a stray continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['0xff', [0xff]],
  ])('refuses invalid UTF-8: %s', (_t, bad) => {
    const head = new TextEncoder().encode('<network><name>a');
    const tail = new TextEncoder().encode('</name></network>');
    expect(errorOf(new Uint8Array([...head, ...bad, ...tail])).code).toBe('xml.encoding');
  });

  it('accepts a byte order mark, in bytes and in strings', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("<?xml version='1.0' encoding='UTF-8'?><network><name>b</name></network>")]);
    expect(parseNetwork(bytes).name).toBe('b');
    expect(parseNetwork('\ufeff<network><name>s</name></network>').name).toBe('s');
  });

  it('refuses bytes that declare an encoding other than UTF-8', () => {
    const bytes = new TextEncoder().encode("<?xml version='1.0' encoding='ISO-8859-1'?><network><name>n</name></network>");
    expect(errorOf(bytes).code).toBe('xml.encoding');
    const utf8 = new TextEncoder().encode("<?xml version='1.0' encoding='utf8'?><network><name>n</name></network>");
    expect(parseNetwork(utf8).name).toBe('n');
  });

  it('refuses input that is neither a string nor bytes, with a typed error', () => {
    expect(errorOf(42 as unknown as string).code).toBe('xml.encoding');
  });
});

describe('CDATA, comments and processing instructions in odd places', () => {
  it('reads text through CDATA and around comments', () => {
    const net = parseNetwork(
      `<!-- before --><?pi x?><network><!-- c --><name><![CDATA[a<b>]]><!-- in name -->c<?pi in name?>d</name>
  <uuid><![CDATA[81ff0d90-c91e-6742-64da-4a736edb9a9b]]></uuid>
  <ip address='10.0.0.1'><!-- c --><dhcp><![CDATA[ ]]><range start='10.0.0.2' end='10.0.0.3'/></dhcp></ip>
  <dns><host ip='10.0.0.5'><hostname><![CDATA[h]]><!--x-->ost</hostname></host></dns>
</network><!-- after -->`,
    );
    expect(net.name).toBe('a<b>cd');
    expect(net.uuid).toBe('81ff0d90-c91e-6742-64da-4a736edb9a9b');
    expect(net.ips?.[0]?.dhcp?.ranges).toEqual([{ start: '10.0.0.2', end: '10.0.0.3' }]);
    expect(net.dns?.hosts).toEqual([{ ip: '10.0.0.5', hostnames: ['host'] }]);
  });
});

describe('line breaks and quotes in every string field reach the model verbatim', () => {
  const nasty = `a'b"c<d>e&f\tg\nh\ri`;
  // In attributes the line break, tab and carriage return must be character references, or XML
  // attribute-value normalisation turns them into spaces.
  const attr = 'a&apos;b&quot;c&lt;d&gt;e&amp;f&#9;g&#10;h&#13;i';
  const text = 'a\'b"c&lt;d&gt;e&amp;f\tg\nh&#13;i';

  it('keeps them in text and attributes of every field libvirt stores as a string', () => {
    const net = parseNetwork(
      `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>${text}</name>
  <description>${text}</description>
  <metadata><m:x xmlns:m='urn:m' v='${attr}'>${text}</m:x></metadata>
  <forward mode='bridge' dev='${attr}'><interface dev='${attr}'/></forward>
  <domain name='${attr}'/>
  <dns>
    <forwarder domain='${attr}'/>
    <txt name='t' value='${attr}'/>
    <srv service='s' protocol='tcp' domain='${attr}' target='${attr}'/>
    <host ip='10.0.0.9'><hostname>${text}</hostname></host>
  </dns>
  <ip address='10.0.0.1' prefix='24'>
    <tftp root='${attr}'/>
    <dhcp><host name='x${attr}' ip='10.0.0.5'/><bootp file='${attr}'/></dhcp>
  </ip>
  <portgroup name='${attr}'/>
  <dnsmasq:options><dnsmasq:option value='${attr}'/></dnsmasq:options>
</network>`,
      { generateUuid: false },
    );
    expect(net.name).toBe(nasty);
    expect(net.description).toBe(nasty);
    expect(net.metadata?.[0]).toEqual({
      type: 'element',
      name: 'm:x',
      attributes: [
        { name: 'xmlns:m', value: 'urn:m' },
        { name: 'v', value: nasty },
      ],
      children: [{ type: 'text', text: nasty }],
    });
    expect(net.forward?.interfaces).toEqual([{ dev: nasty }]);
    expect(net.domain?.name).toBe(nasty);
    expect(net.dns?.forwarders).toEqual([{ domain: nasty }]);
    expect(net.dns?.txts).toEqual([{ name: 't', value: nasty }]);
    expect(net.dns?.srvs).toEqual([{ service: 's', protocol: 'tcp', domain: nasty, target: nasty }]);
    expect(net.dns?.hosts).toEqual([{ ip: '10.0.0.9', hostnames: [nasty] }]);
    expect(net.ips?.[0]?.tftp).toEqual({ root: nasty });
    expect(net.ips?.[0]?.dhcp?.hosts).toEqual([{ name: `x${nasty}`, ip: '10.0.0.5' }]);
    expect(net.ips?.[0]?.dhcp?.bootp).toEqual({ file: nasty });
    expect(net.portgroups).toEqual([{ name: nasty }]);
    expect(net.dnsmasqOptions).toEqual([nasty]);
  });

  it('keeps them in bridge, zone, pf, driver model, title and virtualport profileid', () => {
    const one = `a'b"c&lt;d&gt;e&amp;f&#9;g`;
    const plain = `a'b"c<d>e&f\tg`;
    const net = parseNetwork(
      `<network><name>n</name><title>${one.replace(/'/g, '&apos;')}</title>
  <forward mode='passthrough'><driver model="${one.replace(/"/g, '&quot;')}"/><pf dev="${one.replace(/"/g, '&quot;')}"/></forward>
  <virtualport type='802.1Qbh'><parameters profileid="${one.replace(/"/g, '&quot;')}"/></virtualport>
</network>`,
      { generateUuid: false },
    );
    expect(net.title).toBe(plain);
    expect(net.forward).toEqual({ mode: 'passthrough', driver: { model: plain }, pf: { dev: plain } });
    const isolated = parseNetwork(`<network><name>n</name><bridge zone="${one.replace(/"/g, '&quot;')}"/></network>`);
    expect(isolated.bridge).toEqual({ zone: plain });
    expect(net.virtualport).toEqual({ type: '802.1Qbh', parameters: { profileid: plain } });
  });

  it('normalises literal line breaks in attribute values to spaces, as every XML parser must', () => {
    const net = parseNetwork("<network><name>n</name><bridge name='a\nb\tc'/></network>", { generateUuid: false });
    expect(net.bridge?.name).toBe('a b c');
  });

  it("refuses what libvirt refuses: '/' in the name, a line break in the title, bad txt and host names", () => {
    expect(errorOf('<network><name>../etc</name></network>').code).toBe('network.name.invalid-char');
    expect(errorOf('<network><name>n</name><title>a&#10;b</title></network>').code).toBe('network.title.newline');
    expect(errorOf("<network><name>n</name><dns><txt name='a b' value='v'/></dns></network>").code).toBe('dns.txt.name.invalid-char');
    expect(
      errorOf("<network><name>n</name><ip address='10.0.0.1'><dhcp><host name='&#10;x' ip='10.0.0.2'/></dhcp></ip></network>").code,
    ).toBe('dhcp.host.name.invalid');
    expect(
      errorOf("<network><name>n</name><ip address='10.0.0.1'><dhcp><host id='01:&apos;' name='h' ip='10.0.0.2'/></dhcp></ip></network>").code,
    ).toBe('dhcp.host.id.invalid-char');
    expect(errorOf("<network><name>n</name><dns><srv service='a&#10;b' protocol='tcp'/></dns></network>").code).toBe(
      'dns.srv.service.invalid-char',
    );
  });
});
