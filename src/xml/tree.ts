/**
 * One pass over the document into a light element tree that remembers where each element
 * starts. The decoders in `parse/` read this tree; nothing else is built. The fast scanner
 * (`scan.ts`) builds it for plain documents; saxes builds the same tree for everything the
 * scanner leaves to it, and reports every error.
 *
 * Character data is kept two ways: `text` concatenates all direct text and CDATA of an element
 * (what XPath `string()` reads for leaf elements), and `items` keeps text interleaved with child
 * elements, created only when an element has non-blank text next to children (metadata needs it;
 * blank text is dropped there, as libxml2's NOBLANKS does).
 *
 * @module
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { NetworkXmlError, type NetworkXmlErrorCode } from './errors.js';
import type { XmlLimits } from './limits.js';
import { scanTree } from './scan.js';

const NO_CHILDREN: XNode[] = [];

/** One element of the document. */
export class XNode {
  /** Direct text and CDATA content, concatenated. */
  text = '';
  /** Text and elements in document order; only set when the element has non-blank text. */
  items: Array<XNode | string> | undefined = undefined;
  /** Child elements; leaves share one empty array (never pushed to) to spare an allocation. */
  children: XNode[] = NO_CHILDREN;

  constructor(
    /** Qualified name as written (`dnsmasq:options`). */
    readonly name: string,
    /** Attributes by qualified name, in document order. */
    readonly attrs: Record<string, string>,
    readonly parent: XNode | undefined,
    /**
     * Index in the source text just after the start tag. Line and column are worked out from it
     * only when an error needs them (see {@link locate}), which keeps the parse itself lean.
     */
    readonly end: number,
  ) {}
}

/**
 * Constructor of attribute maps. Its prototype is an empty object whose own prototype is null, so
 * a map inherits no property at all: a document's `constructor` or `__proto__` attribute is an own
 * property like any other, and every other name reads as undefined. Unlike `Object.create(null)`
 * maps, which V8 keeps as hash tables, these stay fast objects with hidden classes: the tree of a
 * 10,000-host network shrinks from 3.8 to 2.2 MB, and parsing it from 0.55 to 0.45 µs per host
 * once GC time is counted.
 */
function AttributeMap(): void {}
AttributeMap.prototype = Object.create(null) as object;

/** A new, empty attribute map (see {@link AttributeMap}); both tree builders use it. */
export function newAttributes(): Record<string, string> {
  return new (AttributeMap as unknown as new () => Record<string, string>)();
}

/** 1-based line and column of the string index `index` in `text`. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(index, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < stop; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: stop - lineStart + 1 };
}

/**
 * Line and column of the `<` that starts `node`'s tag. (An attribute value cannot hold a raw `<`,
 * so the last `<` before the end of the start tag is the tag's own.)
 */
export function locate(text: string, node: XNode): { line: number; column: number } {
  const start = text.lastIndexOf('<', node.end - 1);
  return lineColumn(text, start < 0 ? 0 : start);
}

/**
 * Line and column of attribute `attr` in `node`'s start tag, found by scanning the tag (quoted
 * values are skipped, so a value that mentions the name cannot mislead it). Falls back to the
 * element's own position.
 */
export function locateAttribute(text: string, node: XNode, attr: string): { line: number; column: number } {
  return lineColumn(text, attributeIndex(text, node, attr));
}

/**
 * String index of attribute `attr`'s name in `node`'s start tag, or of the tag's `<` when the
 * tag has no such attribute.
 */
export function attributeIndex(text: string, node: XNode, attr: string): number {
  const start = text.lastIndexOf('<', node.end - 1);
  if (start < 0) return 0;
  let i = start + 1;
  const end = node.end;
  const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  while (i < end && !isSpace(text.charCodeAt(i)) && text[i] !== '>' && text[i] !== '/') i++;
  while (i < end) {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < end && text[i] !== '=' && !isSpace(text.charCodeAt(i)) && text[i] !== '>' && text[i] !== '/') i++;
    if (i === nameStart) break;
    const name = text.slice(nameStart, i);
    if (name === attr) return nameStart;
    while (i < end && text[i] !== '"' && text[i] !== "'") i++;
    const quote = text[i];
    i = text.indexOf(quote ?? '"', i + 1);
    if (i < 0) break;
    i++;
  }
  return start;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

/**
 * Add one text event's string `t` to `top`. Shared with the fast scanner (scan.ts), which must
 * build exactly this tree.
 */
export function appendText(top: XNode, t: string): void {
  if (top.items !== undefined) {
    top.text += t;
    top.items.push(t);
  } else if (!isBlank(t)) {
    top.text += t;
    top.items = [...top.children, t];
  } else if (top.children === NO_CHILDREN) {
    // Blank text is content only in an element without children (`<name> </name>`); between
    // child elements it is indentation, and keeping it would cost memory on big documents.
    top.text += t;
  }
}

function docError(code: NetworkXmlErrorCode, message: string, text: string, index: number): NetworkXmlError {
  const { line, column } = lineColumn(text, index);
  return new NetworkXmlError({ code, path: '', message, line, column });
}

/**
 * Parse `text` (already decoded, no BOM) into its root element. Throws {@link NetworkXmlError}:
 * `xml.malformed` (not well-formed XML 1.0, including characters XML forbids), `xml.encoding` (a
 * declaration naming an encoding other than UTF-8, when `fromBytes`), `xml.doctype` (any
 * DOCTYPE: entity declarations are never processed), `xml.too-deep`, `xml.too-many-elements`.
 *
 * The parser is iterative (saxes keeps its own stack), so nesting depth cannot overflow the call
 * stack; the depth limit still stops it early.
 */
export function buildTree(text: string, limits: XmlLimits, fromBytes = false): XNode {
  // The fast scanner reads plain documents; it bails out on anything else, including every error,
  // so that errors and their positions always come from saxes.
  const fast = scanTree(text, limits, fromBytes);
  if (fast !== undefined) return fast;
  return buildTreeWithSaxes(text, limits, fromBytes);
}

/**
 * {@link buildTree} without the fast path: saxes reads the whole document. Exported so that the
 * differential test can compare the two.
 */
export function buildTreeWithSaxes(text: string, limits: XmlLimits, fromBytes = false): XNode {
  // Position tracking off: saxes then skips its line bookkeeping; positions come from `end`.
  const parser = new SaxesParser({ xmlns: false, position: false });
  const stack: XNode[] = [];
  let top: XNode | undefined;
  let root: XNode | undefined;
  let elements = 0;
  const { maxDepth, maxElements } = limits;

  parser.on('error', (err: Error) => {
    throw docError('xml.malformed', `The document is not well-formed XML: ${err.message.replace(/\.$/, '')}.`, text, Math.max(0, parser.position - 1));
  });
  if (fromBytes) {
    // Bytes are always read as UTF-8; a declaration naming another encoding would be misread.
    parser.on('xmldecl', (decl) => {
      if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding))
        throw docError('xml.encoding', `The document declares encoding '${decl.encoding}'; only UTF-8 is supported.`, text, 0);
    });
  }
  parser.on('doctype', () => {
    throw docError(
      'xml.doctype',
      'The document has a DOCTYPE declaration; network XML never needs one and it is refused so that no entity is ever expanded.',
      text,
      text.indexOf('<!DOCTYPE'),
    );
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const end = parser.position;
    if (++elements > maxElements)
      throw docError('xml.too-many-elements', `The document has more than ${maxElements} elements (the maxElements limit).`, text, text.lastIndexOf('<', end - 1));
    if (stack.length >= maxDepth)
      throw docError('xml.too-deep', `Elements are nested more than ${maxDepth} levels deep (the maxDepth limit).`, text, text.lastIndexOf('<', end - 1));
    const attrs = newAttributes();
    const given = tag.attributes as Record<string, string>;
    for (const name in given) attrs[name] = given[name]!;
    const node = new XNode(tag.name, attrs, top, end);
    if (top === undefined) root = node;
    else {
      if (top.children === NO_CHILDREN) top.children = [node];
      else top.children.push(node);
      if (top.items !== undefined) top.items.push(node);
    }
    stack.push(node);
    top = node;
  });
  parser.on('closetag', () => {
    stack.pop();
    top = stack[stack.length - 1];
  });
  const onText = (t: string): void => {
    if (top !== undefined) appendText(top, t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.write(text).close();
  if (root === undefined) throw docError('xml.malformed', 'The document has no root element.', text, text.length);
  return root;
}
