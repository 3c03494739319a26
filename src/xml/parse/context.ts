/**
 * What every decoder shares: the options, the network name for messages, error construction
 * with path and position, and the `unknown` bookkeeping of `strict`/`preserveUnknown`.
 *
 * Paths: `/network/ip[2]/dhcp/host[3]/@mac`. Elements the schema allows only once (`bridge`,
 * `dhcp`, `dns`, …) never carry an index; every other element (the repeatable kinds `ip`, `route`,
 * `portgroup`, `range`, `host`, `forwarder`, `txt`, `srv`, `hostname`, `interface`, `address`,
 * `tag`, `option`, and unknown elements) always does: its 1-based position among the siblings of
 * the same name, as in XPath.
 *
 * @module
 */
import type { Unknown, UnknownElement, XmlAttribute, XmlElement } from '../../model/xml-node.js';
import { NetworkXmlError, type NetworkXmlErrorCode } from '../errors.js';
import { locate, locateAttribute, type XNode } from '../tree.js';
import { parseCUnsigned } from './scalars.js';
import { childSpec, isNamespaceDeclaration, resolvePrefix, splitName, type ElementSpec } from './schema.js';

/** Decoder state for one document. */
export class ParseContext {
  /** The network's name once read (messages name it). */
  network = '';

  constructor(
    /** The document text, to turn element positions into line and column on error. */
    readonly source: string,
    readonly strict: boolean,
    readonly preserve: boolean,
  ) {}

  /** `network 'NAME'` for messages (or `the network` before the name is known). */
  get net(): string {
    return this.network === '' ? 'the network' : `network '${this.network}'`;
  }

  /**
   * Throw the error for `node` at `path`. The position is that of the attribute when `path` ends
   * in one of `node`'s attributes (`…/@mac`), else that of the element's start tag.
   */
  fail(code: NetworkXmlErrorCode, node: XNode, path: string, message: string): never {
    const at = path.lastIndexOf('/@');
    const attr = at >= 0 ? path.slice(at + 2) : undefined;
    const { line, column } =
      attr !== undefined && node.attrs[attr] !== undefined ? locateAttribute(this.source, node, attr) : locate(this.source, node);
    throw new NetworkXmlError({ code, path, message, line, column });
  }
}

/** The first child named `name`, as libvirt's `./name[1]` XPath. */
export function firstChild(node: XNode, name: string): XNode | undefined {
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

/** All children named `name`, in document order. */
export function childrenNamed(node: XNode, name: string): XNode[] {
  const out: XNode[] = [];
  for (const c of node.children) if (c.name === name) out.push(c);
  return out;
}

/** An attribute read with XPath `string(@x)`: an empty value counts as absent. */
export function xpathAttr(node: XNode | undefined, name: string): string | undefined {
  if (node === undefined) return undefined;
  const v = node.attrs[name];
  return v === '' ? undefined : v;
}

/**
 * XPath string value of an element: its descendant text in document order. (Blank text before
 * the first non-blank text of a mixed element is counted first; that only matters for documents
 * that put elements inside `<name>` or `<title>`.)
 */
export function stringValue(node: XNode): string {
  if (node.children.length === 0) return node.text;
  let out = '';
  const walk = (n: XNode): void => {
    if (n.items === undefined) {
      out += n.text;
      for (const c of n.children) walk(c);
      return;
    }
    for (const it of n.items) {
      if (typeof it === 'string') out += it;
      else walk(it);
    }
  };
  walk(node);
  return out;
}

// --- Generic XML nodes (metadata, preserved unknown elements) ------------------------------------

/** Convert a tree node to a model {@link XmlElement}, dropping blank text (libxml2 NOBLANKS). */
export function toXmlElement(node: XNode): XmlElement {
  const attributes: XmlAttribute[] = [];
  for (const name of Object.keys(node.attrs)) attributes.push({ name, value: node.attrs[name]! });
  const children: XmlElement['children'] = [];
  if (node.items !== undefined) {
    for (const it of node.items) {
      if (typeof it !== 'string') children.push(toXmlElement(it));
      else if (children.length > 0 && children[children.length - 1]!.type === 'text')
        (children[children.length - 1] as { text: string }).text += it;
      else children.push({ type: 'text', text: it });
    }
    // Blank text between elements is formatting, not content.
    if (node.children.length > 0) {
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i]!;
        if (c.type === 'text' && c.text.trim() === '') children.splice(i, 1);
      }
    }
  } else {
    for (const c of node.children) children.push(toXmlElement(c));
    if (node.children.length === 0 && node.text !== '') children.push({ type: 'text', text: node.text });
  }
  return { type: 'element', name: node.name, attributes, children };
}

function collectPrefixes(node: XNode, out: Set<string>): void {
  out.add(splitName(node.name)[0]);
  for (const a of Object.keys(node.attrs)) {
    if (isNamespaceDeclaration(a)) continue;
    const [p] = splitName(a);
    if (p !== '' && p !== 'xml') out.add(p);
  }
  for (const c of node.children) collectPrefixes(c, out);
}

/**
 * {@link toXmlElement}, made self-contained: every namespace prefix used in the subtree but
 * declared on an ancestor outside it gets its declaration added to the top element (first, as
 * libxml2 writes namespace declarations first), so the element can be written on its own.
 */
export function toDetachedXmlElement(node: XNode): XmlElement {
  const element = toXmlElement(node);
  const used = new Set<string>();
  collectPrefixes(node, used);
  const added: XmlAttribute[] = [];
  for (const prefix of used) {
    if (prefix === 'xml') continue;
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    if (declaredWithin(node, prefix, attr)) continue;
    const uri = resolvePrefix(node.parent, prefix);
    if (uri !== undefined && uri !== '') added.push({ name: attr, value: uri });
  }
  if (added.length > 0) element.attributes = [...added, ...element.attributes];
  return element;
}

/** True when every use of `prefix` in the subtree finds its declaration inside the subtree. */
function declaredWithin(node: XNode, prefix: string, attr: string): boolean {
  if (node.attrs[attr] !== undefined) return true;
  const usesHere =
    splitName(node.name)[0] === prefix ||
    (prefix !== '' && Object.keys(node.attrs).some((a) => !isNamespaceDeclaration(a) && splitName(a)[0] === prefix));
  if (usesHere) return false;
  for (const c of node.children) if (!declaredWithin(c, prefix, attr)) return false;
  return true;
}

// --- Unknown elements and attributes -------------------------------------------------------------

/**
 * What `preserveUnknown` keeps of `node`: attributes and child elements its spec does not know.
 * Returns undefined when there are none.
 */
export function collectUnknown(node: XNode, spec: ElementSpec, atRoot = false): Unknown | undefined {
  let attributes: XmlAttribute[] | undefined;
  for (const name of Object.keys(node.attrs)) {
    if (spec.attrs.has(name) || isNamespaceDeclaration(name)) continue;
    (attributes ??= []).push({ name, value: node.attrs[name]! });
  }
  let elements: UnknownElement[] | undefined;
  let after: string | undefined;
  for (const c of node.children) {
    if (childSpec(spec, c, atRoot) !== undefined) {
      after = c.name;
      continue;
    }
    const u: UnknownElement = { element: toDetachedXmlElement(c) };
    if (after !== undefined) u.after = after;
    (elements ??= []).push(u);
  }
  if (attributes === undefined && elements === undefined) return undefined;
  const out: Unknown = {};
  if (attributes) out.attributes = attributes;
  if (elements) out.elements = elements;
  return out;
}

/**
 * `strict` mode: walk the whole document before any other check (as libvirt validates against
 * its schema before parsing) and throw `unknown.element` / `unknown.attribute` for the first
 * name the schema does not know, in document order.
 */
export function checkKnownNames(root: XNode, spec: ElementSpec, ctx: ParseContext): void {
  // Iterative pre-order walk: an element is checked (its name, then its attributes) before its
  // children, and siblings in document order.
  const stack: Array<[XNode, ElementSpec | undefined, string, boolean]> = [[root, spec, '/network', true]];
  while (stack.length > 0) {
    const [node, s, path, atRoot] = stack.pop()!;
    if (s === undefined)
      ctx.fail('unknown.element', node, path, `The element <${node.name}> inside <${node.parent?.name ?? ''}> is not part of libvirt's network schema.`);
    if (s.any) continue;
    for (const a of Object.keys(node.attrs)) {
      if (s.attrs.has(a) || isNamespaceDeclaration(a)) continue;
      ctx.fail('unknown.attribute', node, `${path}/@${a}`, `The attribute '${a}' of <${node.name}> is not part of libvirt's network schema.`);
    }
    const counts = new Map<string, number>();
    const next: Array<[XNode, ElementSpec | undefined, string, boolean]> = [];
    for (const c of node.children) {
      const n = (counts.get(c.name) ?? 0) + 1;
      counts.set(c.name, n);
      const cs = childSpec(s, c, atRoot);
      const single = cs !== undefined && isSingleton(node.name, c.name);
      next.push([c, cs, single ? `${path}/${c.name}` : `${path}/${c.name}[${n}]`, false]);
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
}

const SINGLETONS: ReadonlySet<string> = new Set([
  'name', 'uuid', 'title', 'description', 'metadata', 'forward', 'bridge', 'mtu', 'mac', 'domain', 'dns',
  'vlan', 'bandwidth', 'port', 'virtualport', 'dhcp', 'tftp', 'bootp', 'lease', 'nat', 'pf', 'driver',
  'parameters', 'inbound', 'outbound',
]);

/**
 * True for an element the schema allows at most once in its parent: its path carries no index.
 * (`address` and `port` are singletons inside `<nat>`; `address` repeats inside `<forward>`.)
 */
export function isSingleton(parent: string, child: string): boolean {
  if (SINGLETONS.has(child)) return true;
  if (child === 'address') return parent === 'nat';
  return splitName(child)[1] === 'options' && child.indexOf(':') >= 0;
}

// --- Attribute readers with libvirt's conventions --------------------------------------------------

/** `virXMLPropTristateBool`: absent → undefined; `yes`/`no`; anything else is `code`. */
export function readTristate(
  ctx: ParseContext,
  node: XNode | undefined,
  path: string,
  attr: string,
  code: NetworkXmlErrorCode,
): boolean | undefined {
  if (node === undefined) return undefined;
  const v = node.attrs[attr];
  if (v === undefined) return undefined;
  if (v === 'yes') return true;
  if (v === 'no') return false;
  return ctx.fail(
    code,
    node,
    `${path}/@${attr}`,
    `Invalid value '${v}' for attribute '${attr}' of <${node.name}> in ${ctx.net}: expected 'yes' or 'no'.`,
  );
}

/** Options of {@link readUInt}. */
export interface UIntRule {
  base?: 0 | 10;
  /** The C type's maximum (default: 2^32 - 1, `unsigned int`). */
  max?: number;
  /** Read with XPath `string()`: an empty value counts as absent. */
  xpath?: boolean;
}

/**
 * `virXMLPropUInt`-style unsigned integer: strtoull rules (see `parseCUnsigned`). Absent →
 * undefined; anything C refuses is `code`.
 */
export function readUInt(
  ctx: ParseContext,
  node: XNode,
  path: string,
  attr: string,
  code: NetworkXmlErrorCode,
  rule: UIntRule = {},
): number | undefined {
  const v = node.attrs[attr];
  if (v === undefined || (rule.xpath && v === '')) return undefined;
  const r = parseCUnsigned(v, rule.base ?? 10, rule.max ?? 0xffffffff);
  if (r.ok) return r.value;
  return ctx.fail(
    code,
    node,
    `${path}/@${attr}`,
    r.tooLarge
      ? `The value '${v}' of attribute '${attr}' of <${node.name}> in ${ctx.net} is too large.`
      : `Invalid value '${v}' for attribute '${attr}' of <${node.name}> in ${ctx.net}: expected a non-negative integer.`,
  );
}
