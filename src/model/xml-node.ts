/**
 * Generic XML nodes, for the parts of a document that libvirt keeps without understanding them:
 * `<metadata>` children, and (with `preserveUnknown`) elements and attributes that libvirt's
 * schema does not know.
 *
 * @module
 */
import * as t from 'io-ts';

/** One attribute, by its qualified name as written (`maman`, `xmlns:app1`, `app1:key`). */
export const XmlAttribute = t.type({ name: t.string, value: t.string }, 'XmlAttribute');
export type XmlAttribute = t.TypeOf<typeof XmlAttribute>;

/** Character data. */
export const XmlText = t.type({ type: t.literal('text'), text: t.string }, 'XmlText');
export type XmlText = t.TypeOf<typeof XmlText>;

/**
 * An element with its attributes (namespace declarations included, in document order) and its
 * children. `name` is the qualified name as written (`app1:foo`).
 */
export interface XmlElement {
  type: 'element';
  name: string;
  attributes: XmlAttribute[];
  children: Array<XmlElement | XmlText>;
}

/** Codec of {@link XmlElement}. */
export const XmlElement: t.Type<XmlElement> = t.recursion('XmlElement', () =>
  t.type({
    type: t.literal('element'),
    name: t.string,
    attributes: t.array(XmlAttribute),
    children: t.array(t.union([XmlElement, XmlText])),
  }),
);

/**
 * An unknown child element kept by `parseNetwork(xml, { preserveUnknown: true })`.
 * `after` is the name of the known child element it followed in the source (absent when it came
 * before every known child); the formatter writes it back right after the last element of that
 * name, or at the end of its parent when there is none.
 */
export const UnknownElement = t.intersection(
  [t.type({ element: XmlElement }), t.partial({ after: t.string })],
  'UnknownElement',
);
export type UnknownElement = t.TypeOf<typeof UnknownElement>;

/**
 * What `preserveUnknown` kept on one model object: unknown attributes (written after the known
 * ones, in source order) and unknown child elements.
 */
export const Unknown = t.partial(
  { attributes: t.array(XmlAttribute), elements: t.array(UnknownElement) },
  'Unknown',
);
export type Unknown = t.TypeOf<typeof Unknown>;
