/**
 * Generic XML elements written the way libxml2's `xmlNodeDump(…, format=1)` writes them, which is
 * how libvirt prints the children of `<metadata>`. The same writer serialises unknown elements
 * kept by `parseNetwork(xml, { preserveUnknown: true })`.
 *
 * libxml2's rules, checked against libvirt's own output:
 * - attributes in double quotes; namespace declarations (`xmlns`, `xmlns:p`) before the other
 *   attributes, as libxml2 keeps them apart from the attribute list, their URIs written nearly
 *   raw (see {@link dumpNamespaceValue});
 * - attribute values escape `< > & "`, TAB/LF/CR as `&#9;` `&#10;` `&#13;`, and non-ASCII
 *   characters as `&#xHEX;` (uppercase); `'` stays raw;
 * - text escapes `< > &` and CR as `&#13;`; quotes and non-ASCII stay raw;
 * - an element without children is `<x/>`;
 * - children are put on their own indented lines (2 spaces per level) only when none of them is
 *   text; once an element has a text child, its whole subtree is written without added whitespace.
 *
 * @module
 */
import type { XmlAttribute, XmlElement, XmlText } from '../model/xml-node.js';
import { indent } from './format/indent.js';

/** Characters XML 1.0 forbids; dropped so the output stays well-formed (see escape.ts). */
const FORBIDDEN = '\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF';

/** One character class holding every character the precise expressions may touch: a quick test. */
const SUSPECT = '\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uD800-\\uDFFF\\uFFFE\\uFFFF';

const ATTR_TEST = new RegExp(`[<>&"\\t\\n\\r\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\u0080-\\uFFFF]`);
const ATTR_ALL = new RegExp(`[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[<>&"\\t\\n\\r\\u0080-\\uFFFF${FORBIDDEN}]`, 'g');
const TEXT_TEST = new RegExp(`[<>&\\r${SUSPECT}]`);
const TEXT_ALL = new RegExp(`[<>&\\r${FORBIDDEN}]`, 'g');

const ENTITY: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function isForbidden(code: number): boolean {
  return (
    code < 0x20 ? code !== 0x09 && code !== 0x0a && code !== 0x0d : code === 0xfffe || code === 0xffff
  );
}

function attributeEntity(ch: string): string {
  const known = ENTITY[ch];
  if (known !== undefined) return known;
  const code = ch.codePointAt(0)!;
  // A lone surrogate or a forbidden character: dropped (a pair is one code point here).
  if (isForbidden(code) || (ch.length === 1 && code >= 0xd800 && code <= 0xdfff)) return '';
  return `&#x${code.toString(16).toUpperCase()};`;
}

function textEntity(ch: string): string {
  return ENTITY[ch] ?? '';
}

/** An attribute value as libxml2 writes it between double quotes. */
export function dumpAttributeValue(value: string): string {
  return ATTR_TEST.test(value) ? value.replace(ATTR_ALL, attributeEntity) : value;
}

/** Character data as libxml2 writes it. */
export function dumpText(value: string): string {
  return TEXT_TEST.test(value) ? value.replace(TEXT_ALL, textEntity) : value;
}

function isNamespaceDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

const URI_TEST = new RegExp(`[<&${SUSPECT}]`);
const URI_ALL = new RegExp(`[<&${FORBIDDEN}]`, 'g');

function uriEntity(ch: string): string {
  return ch === '&' ? '&#38;' : ch === '<' ? '&lt;' : '';
}

/**
 * A namespace URI as libxml2's `xmlBufWriteQuotedString` writes it: raw, in double quotes, or in
 * single quotes when it holds a `"` (both: double quotes and `&quot;`). libxml2 keeps an `&` of
 * the source as `&#38;` in the URI and so prints that. It would print a `<` raw, which is not
 * well-formed; we write `&lt;` there (project rule: output is always well-formed).
 */
export function dumpNamespaceValue(uri: string): string {
  const v = URI_TEST.test(uri) ? uri.replace(URI_ALL, uriEntity) : uri;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return `"${v.replace(/"/g, '&quot;')}"`;
}

function dumpAttributes(attributes: XmlAttribute[]): string {
  let declarations = '';
  let others = '';
  for (const a of attributes) {
    if (isNamespaceDeclaration(a.name)) declarations += ` ${a.name}=${dumpNamespaceValue(a.value)}`;
    else others += ` ${a.name}="${dumpAttributeValue(a.value)}"`;
  }
  return declarations + others;
}

function dumpNode(node: XmlElement | XmlText, level: number, format: boolean): string {
  if (node.type === 'text') return dumpText(node.text);
  let out = `<${node.name}${dumpAttributes(node.attributes)}`;
  const children = node.children;
  if (children.length === 0) return `${out}/>`;
  out += '>';
  const formatChildren = format && children.every((c) => c.type === 'element');
  if (formatChildren) {
    const inner = indent(level + 1);
    for (const child of children) out += `\n${inner}${dumpNode(child, level + 1, true)}`;
    out += `\n${indent(level)}`;
  } else {
    for (const child of children) out += dumpNode(child, level + 1, false);
  }
  return `${out}</${node.name}>`;
}

/**
 * One element, its first line indented to `level` (2 spaces each), ending with a newline, as
 * libvirt's `virXMLFormatMetadata` writes each child of `<metadata>`.
 *
 * @example
 * ```ts
 * dumpElement({ type: 'element', name: 'app:x', attributes: [{ name: 'xmlns:app', value: 'urn:a' }],
 *   children: [{ type: 'text', text: 'hi' }] }, 2);
 * // '    <app:x xmlns:app="urn:a">hi</app:x>\n'
 * ```
 */
export function dumpElement(element: XmlElement, level: number): string {
  return `${indent(level)}${dumpNode(element, level, true)}\n`;
}
