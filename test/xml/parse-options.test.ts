/** ParseOptions: strict, preserveUnknown (with `after` placement), generateUuid, and decodeNetwork. */
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { NetworkXmlError, decodeNetwork, parseNetwork } from '../../src/xml/index.js';

const DOC = `<network zz='1' xmlns:a='urn:a'>
  <name>n</name>
  <a:first k='v'/>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <bogus>text<b/></bogus>
  <ip address='10.0.0.1' prefix='24' foo='bar'>
    <dhcp>
      <range start='10.0.0.2' end='10.0.0.9' x='1'/>
      <extra/>
    </dhcp>
  </ip>
  <bridge name='br' weird='yes'/>
</network>
`;

describe('default: unknown names are ignored, as libvirt does', () => {
  it('drops unknown elements and attributes', () => {
    expect(parseNetwork(DOC)).toEqual({
      name: 'n',
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
      ips: [{ address: '10.0.0.1', prefix: 24, dhcp: { ranges: [{ start: '10.0.0.2', end: '10.0.0.9' }] } }],
      bridge: { name: 'br' },
    });
  });
});

describe('strict', () => {
  it('refuses the first unknown name in document order, with path and position', () => {
    const err = (() => {
      try {
        parseNetwork(DOC, { strict: true });
      } catch (e) {
        return e as NetworkXmlError;
      }
      throw new Error('no error');
    })();
    expect([err.code, err.path, err.line, err.column]).toEqual(['unknown.attribute', '/network/@zz', 1, 10]);
    const doc2 = DOC.replace(" zz='1'", '');
    expect(() => parseNetwork(doc2, { strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown.element', path: '/network/a:first[1]', line: 3, column: 3 }),
    );
    const doc3 = doc2.replace("  <a:first k='v'/>\n", '').replace('<bogus>text<b/></bogus>', '');
    expect(() => parseNetwork(doc3, { strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown.attribute', path: '/network/ip[1]/@foo', line: 5, column: 38 }),
    );
    const doc4 = doc3.replace(" foo='bar'", '');
    expect(() => parseNetwork(doc4, { strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown.attribute', path: '/network/ip[1]/dhcp/range[1]/@x', line: 7, column: 46 }),
    );
  });

  it('wins over libvirt checks, as schema validation runs first', () => {
    expect(() => parseNetwork("<network><foo/><uuid>bad</uuid><name>n</name></network>", { strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown.element' }),
    );
  });

  it('allows anything inside <metadata>, namespace declarations, and dnsmasq options under any prefix', () => {
    const net = parseNetwork(
      `<network xmlns:q='http://libvirt.org/schemas/network/dnsmasq/1.0' xmlns:m='urn:m'>
  <name>n</name>
  <metadata><m:x anything='goes'><m:y/></m:x></metadata>
  <q:options><q:option value='a'/></q:options>
</network>`,
      { strict: true, generateUuid: false },
    );
    expect(net.dnsmasqOptions).toEqual(['a']);
    expect(() =>
      parseNetwork(`<network xmlns:q='urn:other'><name>n</name><q:options/></network>`, { strict: true }),
    ).toThrow(expect.objectContaining({ code: 'unknown.element', path: '/network/q:options[1]' }));
  });
});

describe('preserveUnknown', () => {
  it('keeps unknown attributes and elements on the enclosing object with `after`', () => {
    const net = parseNetwork(DOC, { preserveUnknown: true });
    expect(net.unknown).toEqual({
      attributes: [{ name: 'zz', value: '1' }],
      elements: [
        {
          after: 'name',
          element: {
            type: 'element',
            name: 'a:first',
            attributes: [
              { name: 'xmlns:a', value: 'urn:a' },
              { name: 'k', value: 'v' },
            ],
            children: [],
          },
        },
        {
          after: 'uuid',
          element: {
            type: 'element',
            name: 'bogus',
            attributes: [],
            children: [
              { type: 'text', text: 'text' },
              { type: 'element', name: 'b', attributes: [], children: [] },
            ],
          },
        },
      ],
    });
    const ip = net.ips![0]!;
    expect(ip.unknown).toEqual({ attributes: [{ name: 'foo', value: 'bar' }] });
    expect(ip.dhcp!.unknown).toEqual({
      elements: [{ after: 'range', element: { type: 'element', name: 'extra', attributes: [], children: [] } }],
    });
    expect(ip.dhcp!.ranges![0]!.unknown).toEqual({ attributes: [{ name: 'x', value: '1' }] });
    expect(net.bridge!.unknown).toEqual({ attributes: [{ name: 'weird', value: 'yes' }] });
  });

  it('leaves `after` out for an unknown element before every known one', () => {
    const net = parseNetwork('<network><x/><name>n</name></network>', { preserveUnknown: true, generateUuid: false });
    expect(net.unknown).toEqual({ elements: [{ element: { type: 'element', name: 'x', attributes: [], children: [] } }] });
  });

  it('adds nothing when the document has no unknown names', () => {
    const net = parseNetwork("<network><name>n</name><ip address='10.0.0.1'/></network>", { preserveUnknown: true, generateUuid: false });
    expect(net).toEqual({ name: 'n', ips: [{ address: '10.0.0.1' }] });
  });
});

describe('generateUuid', () => {
  it('generates a fresh v4 uuid by default and none when switched off', () => {
    const a = parseNetwork('<network><name>n</name></network>').uuid;
    const b = parseNetwork('<network><name>n</name></network>').uuid;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(parseNetwork('<network><name>n</name></network>', { generateUuid: false }).uuid).toBeUndefined();
  });
});

describe('decodeNetwork', () => {
  it('returns Right with the model or Left with the error', () => {
    const ok = decodeNetwork('<network><name>n</name></network>', { generateUuid: false });
    expect(isRight(ok) && ok.right).toEqual({ name: 'n' });
    const bad = decodeNetwork('<network><name>a/b</name></network>');
    expect(isLeft(bad) && bad.left.code).toBe('network.name.invalid-char');
  });

  it('accepts UTF-8 bytes', () => {
    const bytes = new TextEncoder().encode('<network><name>réseau ✓</name></network>');
    expect(parseNetwork(bytes, { generateUuid: false })).toEqual({ name: 'réseau ✓' });
  });
});
