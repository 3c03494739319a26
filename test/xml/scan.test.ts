/**
 * The fast scanner (src/xml/scan.ts) against the saxes path it stands in for: on every input it
 * either bails out (undefined) or builds exactly the tree saxes builds, and it never accepts a
 * document saxes refuses. Checked on generated and mutated documents, hostile input, the libvirt
 * corpus, and one case per bail-out reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNetwork } from '../../src/xml/index.js';
import { resolveLimits, type XmlLimits } from '../../src/xml/limits.js';
import { scanTree } from '../../src/xml/scan.js';
import { buildTree, buildTreeWithSaxes, type XNode } from '../../src/xml/tree.js';
import { networkArb } from '../support/arbitraries.js';
import { announceCorpus, corpusCases, corpusDir, readCorpus } from '../support/corpus.js';

const LIMITS = resolveLimits({});

/** Plain picture of a tree: everything a decoder can see, with parent links and item identity checked. */
interface Shape {
  name: string;
  attrs: Array<[string, string]>;
  prototype: unknown;
  text: string;
  items: Array<string | number> | undefined;
  children: Shape[];
  end: number;
  parentLinked: boolean;
}

function shape(node: XNode): Shape {
  return {
    name: node.name,
    attrs: Object.entries(node.attrs),
    prototype: Object.getPrototypeOf(node.attrs),
    text: node.text,
    // Elements in items are the very objects of children: record their index there.
    items: node.items?.map((item) => (typeof item === 'string' ? item : node.children.indexOf(item))),
    children: node.children.map(shape),
    end: node.end,
    parentLinked: node.children.every((child) => child.parent === node),
  };
}

type Outcome = { accepted: boolean; saxesFailed: boolean };

/**
 * Run both readers on `text` and hold the scanner to its contract. Returns what happened so that
 * callers can also check the scanner takes the documents it should.
 */
function differential(text: string, limits: XmlLimits = LIMITS, fromBytes = false): Outcome {
  const fast = scanTree(text, limits, fromBytes);
  let slow: XNode | undefined;
  try {
    slow = buildTreeWithSaxes(text, limits, fromBytes);
  } catch {
    slow = undefined;
  }
  if (slow === undefined) {
    if (fast !== undefined) throw new Error(`scanTree accepted a document saxes refuses: ${JSON.stringify(text)}`);
    return { accepted: false, saxesFailed: true };
  }
  if (fast !== undefined) {
    expect(fast.parent).toBeUndefined();
    expect(shape(fast), JSON.stringify(text)).toEqual(shape(slow));
  }
  return { accepted: fast !== undefined, saxesFailed: false };
}

// --- generated input -----------------------------------------------------------------------------

/** Fragments that exercise every rule of the scanner: entities, references, controls, surrogates, names, markup. */
const TOKENS = [
  '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x41;', '&#x1F600;', '&#0;', '&#1;', '&#9;', '&#10;', '&#13;',
  '&#32;', '&#xD800;', '&#xDFFF;', '&#xFFFE;', '&#xFFFD;', '&#x10FFFF;', '&#x110000;', '&#99999999999;', '&#X41;', '&#x;',
  '&#;', '&;', '&bogus;', '&amp', '&lt ;', '&', '<', '>', ']]>', ']]', ']', '"', "'", '=', '/', '/>', '?>', '!', ':', '-',
  '\t', '\n', '\r', '\r\n', ' ', '\u0000', '\u0001', '\u0008', '\u001f', '\u007f', '\u0085', '\u2028', '\ud800', '\udc00',
  '\ud83d\ude00', '\ud83d', '\ufffe', '\uffff', '\ufeff', 'é', '日', '<!-- c -->', '<!-- a -- b -->', '<!--->', '<!---->',
  '<!-- - -->', '<!--', '-->', '<![CDATA[x]]>', '<![CDATA[', '<?pi x?>', '<?xml version="1.0"?>', '<!DOCTYPE network>',
  '<x/>', '<x>', '</x>', '</>', '<a:b/>', '<a:b:c/>', '<:a/>', '<a:/>', '<_a.b-c/>', '<é/>', '<1/>', ' x="1"', " x='1'",
  ' x=1', ' x', ' a:b="v"', ' x="a\tb\nc\r\nd"', " x='<'", ' x="&#10;"', ' __proto__="p"', ' constructor="c"', 'a:b', 'host',
];

const tokenArb = fc.constantFrom(...TOKENS);

type Mutation = (doc: string) => string;

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  // Insert a token somewhere.
  fc.tuple(fc.nat(), tokenArb).map(([at, token]): Mutation => (doc) => {
    const i = at % (doc.length + 1);
    return doc.slice(0, i) + token + doc.slice(i);
  }),
  // Delete a short range.
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })).map(([at, n]): Mutation => (doc) => {
    const i = at % (doc.length + 1);
    return doc.slice(0, i) + doc.slice(i + n);
  }),
  // Truncate.
  fc.nat().map((at): Mutation => (doc) => doc.slice(0, at % (doc.length + 1))),
  // Duplicate an attribute in place.
  fc.nat().map((which): Mutation => (doc) => {
    const attrs = [...doc.matchAll(/ [A-Za-z_:][\w.:-]*=(?:'[^']*'|"[^"]*")/g)];
    if (attrs.length === 0) return doc;
    const m = attrs[which % attrs.length]!;
    return doc.slice(0, m.index + m[0].length) + m[0] + doc.slice(m.index + m[0].length);
  }),
  // Rename a close tag (mismatch) or swap two tags' names.
  fc.tuple(fc.nat(), fc.constantFrom('x', 'name', 'network', 'ip', 'dhcp', 'a:b')).map(([which, name]): Mutation => (doc) => {
    const closes = [...doc.matchAll(/<\/[^>\s]+/g)];
    if (closes.length === 0) return doc;
    const m = closes[which % closes.length]!;
    return `${doc.slice(0, m.index)}</${name}${doc.slice(m.index + m[0].length)}`;
  }),
  // Replace one character with a token (quotes, brackets, controls...).
  fc.tuple(fc.nat(), tokenArb).map(([at, token]): Mutation => (doc) => {
    if (doc.length === 0) return token;
    const i = at % doc.length;
    return doc.slice(0, i) + token + doc.slice(i + 1);
  }),
);

/** What may stand before the root: declarations (valid and not), BOM, comments, white space. */
const prologArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '', '\ufeff', '\n', '<?xml version="1.0"?>\n', "<?xml version='1.0' encoding='UTF-8'?>", '<?xml version="1.0" encoding="utf8" standalone="yes"?>',
      '<?xml version="1.0" standalone="no" ?>', '<?xml version = "1.0"?>', '<?xml\tversion="1.0"\n?>', '\ufeff<?xml version="1.0"?>',
      '<!-- before -->\n', '<!-- a --><!-- b -->', '<?xml version="1.0" encoding="latin1"?>',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<?xml version="1.1"?>', '<?xml version="1.5"?>', '<?xml version="2.0"?>', '<?xml encoding="UTF-8"?>', '<?xml?>', '<?xml ?>',
      '<?xml version="1.0"encoding="UTF-8"?>', '<?xml version="1.0" encoding="-x"?>', '<?xml version="1.0" standalone="maybe"?>',
      '<?xml version="1.0" standalone="yes" encoding="UTF-8"?>', '<?xml version="1.0" version="1.0"?>', '<?xml version="1.0"? >',
      '<?xml version="1.0\'?>', '<?xml-stylesheet href="a"?>', '<?XML version="1.0"?>', ' <?xml version="1.0"?>', '<!DOCTYPE network>',
      'junk', '&amp;',
    ),
  },
);

const epilogArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', '\n', '\n\n  ', '<!-- after -->', '\n<!-- a -->\n', '\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('junk', '<x/>', '<?pi?>', '&amp;', '\u0001', '<!-- a -- b -->') },
);

const limitsArb: fc.Arbitrary<XmlLimits> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(LIMITS) },
  fc.record({ maxBytes: fc.constant(LIMITS.maxBytes), maxDepth: fc.integer({ min: 1, max: 6 }), maxElements: fc.integer({ min: 1, max: 40 }) }),
);

describe('scanTree against saxes (differential)', () => {
  it('builds the saxes tree for every formatted network, and takes them all', () => {
    fc.assert(
      fc.property(networkArb, (net) => {
        const xml = formatNetwork(net);
        expect(differential(xml)).toEqual({ accepted: true, saxesFailed: false });
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it('bails out or agrees on mutated networks, with prologs, epilogs, limits and byte input', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        networkArb,
        fc.array(mutationArb, { minLength: 0, maxLength: 3 }),
        prologArb,
        epilogArb,
        limitsArb,
        fc.boolean(),
        (net, mutations, prolog, epilog, limits, fromBytes) => {
          let xml = prolog + formatNetwork(net) + epilog;
          for (const mutate of mutations) xml = mutate(xml);
          const outcome = differential(xml, limits, fromBytes);
          if (outcome.accepted) accepted++;
          if (outcome.saxesFailed) refused++;
        },
      ),
      { seed: 4242, numRuns: 4000 },
    );
    // The generator must reach both sides of the contract often.
    expect(accepted).toBeGreaterThan(400);
    expect(refused).toBeGreaterThan(400);
    console.log(`[scan] mutated documents: ${accepted} taken by the scanner, ${refused} refused by saxes, of 4000`);
  });

  it('bails out or agrees on tag soup made of the tricky fragments', () => {
    const soup = fc.array(fc.oneof(tokenArb, fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', 'text', ' ')), { maxLength: 14 });
    fc.assert(
      fc.property(prologArb, soup, epilogArb, limitsArb, (prolog, parts, epilog, limits) => {
        differential(`${prolog}<a>${parts.join('')}</a>${epilog}`, limits);
      }),
      { seed: 77, numRuns: 3000 },
    );
  });

  it('agrees on every text and attribute value made of the tricky fragments', () => {
    fc.assert(
      fc.property(fc.array(tokenArb, { maxLength: 6 }), fc.constantFrom('"', "'"), (parts, q) => {
        const s = parts.join('');
        differential(`<a>${s}<b/>${s}</a>`);
        differential(`<a x=${q}${s}${q}/>`);
      }),
      { seed: 99, numRuns: 3000 },
    );
  });
});

describe('scanTree on hostile input', () => {
  const laughs = (() => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    return `<!DOCTYPE network [${dtd}]><network><name>&lol9;</name></network>`;
  })();
  it.each([
    '<network>\n  <name>x</name>\n  <ip address="1.2.3.4">\n</network>',
    '<network><name>x</nam></network>',
    '<network a=b><name>x</name></network>',
    "<network a='1' a='2'><name>x</name></network>",
    '<network><name>x</name></network>junk',
    '<network><name>x</name></network><network/>',
    '',
    '<network><name>x</name><!-- ',
    "<network x='<'><name>x</name></network>",
    '<network><name>a & b</name></network>',
    '<network><name>&lol;</name></network>',
    '<?xml version="1.0"?>\n<!DOCTYPE network>\n<network><name>x</name></network>',
    laughs,
    '<!DOCTYPE network SYSTEM "file:///etc/passwd"><network><name>x</name></network>',
    '<network><name>a\u0001b</name></network>',
    "<network><name>n</name><bridge name='a\u0008b'/></network>",
    '<network><name>a&#1;b</name></network>',
    '<network><name>a\u0000b</name></network>',
    '<network><name>a\ufffeb</name></network>',
    '<network><name>a\ud800b</name></network>',
    '<network><name>a\udc00</name></network>',
    '<network><name>a\ud83d\ude00</name></network>',
    '\ufeff<network><name>s</name></network>',
    '<network><name>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</name></network>',
    "<network><name>n</name><bridge name='a\nb\tc'/></network>",
    '<network><name>n</name><title>a&#10;b</title></network>',
    `${'<network>'}${'<a>'.repeat(200)}${'</a>'.repeat(200)}</network>`,
  ])('%j', (xml) => {
    differential(xml);
    differential(xml, { ...LIMITS, maxDepth: 64, maxElements: 20 });
  });
});

describe('scanTree on the libvirt corpus', () => {
  announceCorpus('scan');
  const files = [...new Set(corpusCases().flatMap((c) => [...c.inputs, ...c.outputs]).filter((f) => f.endsWith('.xml')))];
  it.skipIf(corpusDir === undefined)(`agrees with saxes on every corpus document (${files.length} files) and takes the plain ones`, () => {
    let taken = 0;
    for (const file of files) {
      const xml = readCorpus(file);
      const outcome = differential(xml);
      // Only markup outside the scanner's subset may send a document saxes accepts to saxes.
      if (!outcome.saxesFailed && !outcome.accepted) expect(xml, file).toMatch(/<!\[CDATA\[|<\?(?!xml )|<!DOCTYPE|version=.1\.[1-9]/);
      if (outcome.accepted) taken++;
    }
    expect(taken).toBeGreaterThan(files.length * 0.9);
  });
});

describe('scanTree reads', () => {
  const tree = (xml: string): Shape => shape(scanTree(xml, LIMITS)!);

  it('the predefined entities and character references, decoded as saxes does', () => {
    const root = scanTree("<a x='&lt;&#x1F600;&#9;'>&amp;&#65;&#x42;&#13;&gt;</a>", LIMITS)!;
    expect(root.attrs).toEqual({ x: '<😀\t' });
    expect(root.text).toBe('&AB\r>');
  });

  it('attributes named like Object.prototype members as own properties, and no inherited ones', () => {
    const xml = '<a __proto__="p" constructor="c" toString="t"/>';
    for (const root of [scanTree(xml, LIMITS)!, buildTreeWithSaxes(xml, LIMITS)]) {
      expect(Object.entries(root.attrs)).toEqual([['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]);
      expect(Object.getPrototypeOf(Object.getPrototypeOf(root.attrs))).toBeNull();
    }
    const plain = scanTree('<a/>', LIMITS)!.attrs;
    expect([plain['constructor'], plain['toString'], plain['__proto__'], plain['hasOwnProperty']]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('line ends: CR LF and CR become LF in text, white space becomes spaces in attribute values', () => {
    const root = scanTree("<a x='1\t2\n3\r\n4\r5'>p\r\nq\rr</a>", LIMITS)!;
    expect(root.attrs['x']).toBe('1 2 3 4 5');
    expect(root.text).toBe('p\nq\nr');
  });

  it('a declaration, a BOM, comments around the root, and the end indexes of start tags', () => {
    const xml = '\ufeff<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- c --><a>\n <b/><c k="v" >t</c></a>\n<!-- d -->\n';
    expect(tree(xml)).toEqual(shape(buildTreeWithSaxes(xml, LIMITS)));
    const root = scanTree(xml, LIMITS)!;
    expect(xml.slice(0, root.end).endsWith('<a>')).toBe(true);
    expect(xml.slice(0, root.children[1]!.end).endsWith('<c k="v" >')).toBe(true);
  });

  it('blank text the way the saxes path keeps it: in leaves, not between children', () => {
    const root = scanTree('<a>\n  <b>  </b>\n  <c/>\n</a>', LIMITS)!;
    expect(root.text).toBe('\n  ');
    expect(root.items).toBeUndefined();
    expect(root.children[0]!.text).toBe('  ');
  });

  it('non-blank text next to children into items, in document order, split at comments', () => {
    const root = scanTree('<a>x<b/> <!--c-->y</a>', LIMITS)!;
    expect(root.items?.map((i) => (typeof i === 'string' ? i : i.name))).toEqual(['x', 'b', ' ', 'y']);
    expect(root.text).toBe('x y');
  });

  it('buildTree takes the fast path for plain documents and gives the same tree', () => {
    const xml = "<network><name>n</name><ip address='10.0.0.1'><dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.2'/></dhcp></ip></network>";
    expect(shape(buildTree(xml, LIMITS))).toEqual(shape(buildTreeWithSaxes(xml, LIMITS)));
  });
});

describe('scanTree bails out', () => {
  // Documents saxes accepts: the scanner leaves them to saxes, and buildTree still reads them.
  it.each([
    ['CDATA', '<a><![CDATA[x]]></a>'],
    ['a processing instruction', '<a><?pi body?></a>'],
    ['a processing instruction before the root', '<?pi body?><a/>'],
    ['XML 1.1 (other line-end and character rules)', '<?xml version="1.1"?><a/>'],
    ['a non-ASCII name', '<a><é/></a>'],
    ['a non-ASCII character after a name', '<aé/>'],
    ['two colons in a name', '<a:b:c/>'],
    ['a leading colon', '<:a/>'],
    // saxes decodes it with the next code unit as one character (parseNetwork refuses it earlier).
    ['a lone high surrogate', '<a>\ud800x</a>'],
    ['a trailing colon', '<a x:="1"/>'],
    ['a name starting with a colon after the prefix separator', '<a:-b/>'],
  ])('on %s, which saxes reads', (_reason, xml) => {
    expect(scanTree(xml, LIMITS)).toBeUndefined();
    expect(shape(buildTree(xml, LIMITS))).toEqual(shape(buildTreeWithSaxes(xml, LIMITS)));
  });

  // Documents saxes refuses: the scanner must not accept them, so the error comes from saxes.
  it.each([
    ['a DOCTYPE', '<!DOCTYPE a><a/>'],
    ['an undefined entity', '<a>&lol;</a>'],
    ['an entity without its semicolon', '<a>&amp</a>'],
    ['a reference to a forbidden character', '<a>&#1;</a>'],
    ['a reference to a surrogate', '<a>&#xD800;</a>'],
    ['a reference beyond Unicode', '<a>&#x110000;</a>'],
    ['an upper-case X in a hex reference', '<a>&#X41;</a>'],
    ['a control character in text', '<a>\u0001</a>'],
    ['a control character in an attribute', '<a x="\u0001"/>'],
    ['a lone low surrogate', '<a x="\udc00"/>'],
    ['U+FFFF', '<a>\uffff</a>'],
    ['< in an attribute value', '<a x="<"/>'],
    [']]> in text', '<a>]]></a>'],
    ['-- inside a comment', '<a><!-- a -- b --></a>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['a mismatched close tag', '<a><b></a></b>'],
    ['an unclosed tag', '<a><b></b>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['no white space between attributes', '<a x="1"y="2"/>'],
    ['text before the root', 'x<a/>'],
    ['text after the root', '<a/>x'],
    ['a second root', '<a/><b/>'],
    ['no root', '<!-- only -->'],
    ['a declaration after white space', ' <?xml version="1.0"?><a/>'],
    ['a declaration without version', '<?xml encoding="UTF-8"?><a/>'],
    ['a malformed standalone', '<?xml version="1.0" standalone="maybe"?><a/>'],
  ])('on %s, which saxes refuses', (_reason, xml) => {
    expect(scanTree(xml, LIMITS)).toBeUndefined();
    expect(() => buildTreeWithSaxes(xml, LIMITS)).toThrow();
  });

  it('on a duplicate attribute among many, before and after the first eight', () => {
    const names = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const tag = (list: string[]): string => `<e ${list.map((n) => `${n}="v"`).join(' ')}/>`;
    expect(scanTree(tag(names), LIMITS)).toBeDefined();
    for (const [at, copy] of [[3, 1], [8, 0], [11, 9], [11, 2]] as const) {
      const list = [...names];
      list[at] = names[copy]!;
      expect(scanTree(tag(list), LIMITS), list.join()).toBeUndefined();
      expect(() => buildTreeWithSaxes(tag(list), LIMITS)).toThrow();
    }
  });

  it('at the depth and element limits (saxes reports them with its own position)', () => {
    expect(scanTree('<a><b><c/></b></a>', { ...LIMITS, maxDepth: 2 })).toBeUndefined();
    expect(scanTree('<a><b><c/></b></a>', { ...LIMITS, maxDepth: 3 })).toBeDefined();
    expect(scanTree('<a><b/><c/></a>', { ...LIMITS, maxElements: 2 })).toBeUndefined();
    expect(scanTree('<a><b/><c/></a>', { ...LIMITS, maxElements: 3 })).toBeDefined();
  });

  it('on a declared encoding other than UTF-8 in byte input only', () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><a/>';
    expect(scanTree(xml, LIMITS, true)).toBeUndefined();
    expect(scanTree(xml, LIMITS, false)).toBeDefined();
    expect(scanTree('<?xml version="1.0" encoding="UTF-8"?><a/>', LIMITS, true)).toBeDefined();
  });
});
