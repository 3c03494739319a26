/**
 * Unknown content survives format → parse(preserveUnknown): unknown attributes on the root and
 * unknown elements placed after any of the root's written children come back in the same
 * places. Fixed seed and run count keep CI deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Network, UnknownElement, XmlElement } from '../../src/model/index.js';
import { formatNetwork, parseNetwork } from '../../src/xml/index.js';
import { networkArb, spicyText } from '../support/arbitraries.js';

/** Names of the root's children in the order the formatter writes them. */
function writtenChildren(xml: string): string[] {
  return [...xml.matchAll(/^ {2}<([A-Za-z][\w:.-]*)/gm)].map((m) => m[1]!);
}

const extension = fc
  .record({
    name: fc.constantFrom('ext', 'x-data', 'vendor.info', 'custom'),
    value: spicyText,
    text: fc.option(spicyText, { nil: undefined }),
  })
  .map(({ name, value, text }): XmlElement => ({
    type: 'element',
    name,
    attributes: [{ name: 'v', value }],
    children: text === undefined ? [] : [{ type: 'text', text }],
  }));

const withUnknown = fc
  .tuple(networkArb, fc.array(fc.tuple(extension, fc.nat()), { maxLength: 4 }), fc.option(spicyText, { nil: undefined }))
  .map(([m, extras, attr]): Network => {
    const names = writtenChildren(formatNetwork(m));
    const order = new Map<string, number>();
    names.forEach((n, i) => order.set(n, i));
    // Position 0 means "before every known child" (no `after`).
    const elements: UnknownElement[] = extras
      .map(([element, pick]) => {
        const at = pick % (names.length + 1);
        return at === 0 ? { element } : { element, after: names[at - 1]! };
      })
      .sort((a, b) => (a.after === undefined ? -1 : order.get(a.after)!) - (b.after === undefined ? -1 : order.get(b.after)!));
    const unknown: Network['unknown'] = {};
    if (attr !== undefined) unknown.attributes = [{ name: 'vendor', value: attr }];
    if (elements.length) unknown.elements = elements;
    return Object.keys(unknown).length ? { ...m, unknown } : m;
  });

describe('unknown content properties', () => {
  it('parse(format(m), { preserveUnknown }) equals m', () => {
    fc.assert(
      fc.property(withUnknown, (m) => {
        expect(parseNetwork(formatNetwork(m), { preserveUnknown: true })).toEqual(m);
      }),
      { seed: 0x0dd, numRuns: 150 },
    );
  });
});
