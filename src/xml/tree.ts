/**
 * One pass of saxes over the document into a light element tree that remembers where each
 * element starts. The decoders in `parse/` read this tree; nothing else is built.
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

/** One element of the document. */
export class XNode {
  /** Direct text and CDATA content, concatenated. */
  text = '';
  /** Text and elements in document order; only set when the element has non-blank text. */
  items: Array<XNode | string> | undefined = undefined;
  readonly children: XNode[] = [];

  constructor(
    /** Qualified name as written (`dnsmasq:options`). */
    readonly name: string,
    /** Attributes by qualified name, in document order. */
    readonly attrs: Record<string, string>,
    readonly parent: XNode | undefined,
    /** 1-based line of the `<` that starts the element. */
    readonly line: number,
    /** 1-based column of that `<`. */
    readonly column: number,
  ) {}
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function docError(code: NetworkXmlErrorCode, message: string, line?: number, column?: number): NetworkXmlError {
  const problem: ConstructorParameters<typeof NetworkXmlError>[0] = { code, path: '', message };
  if (line !== undefined) problem.line = line;
  if (column !== undefined) problem.column = column;
  return new NetworkXmlError(problem);
}

/**
 * Parse `text` (already decoded, no BOM) into its root element. Throws {@link NetworkXmlError}:
 * `xml.malformed` (not well-formed XML 1.0, including characters XML forbids), `xml.doctype` (any
 * DOCTYPE: entity declarations are never processed), `xml.too-deep`, `xml.too-many-elements`.
 *
 * The parser is iterative (saxes keeps its own stack), so nesting depth cannot overflow the call
 * stack; the depth limit still stops it early.
 */
export function buildTree(text: string, limits: XmlLimits): XNode {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XNode[] = [];
  let top: XNode | undefined;
  let root: XNode | undefined;
  let elements = 0;
  let startLine = 1;
  let startColumn = 1;

  parser.on('error', (err: Error) => {
    // saxes prefixes its messages with "line:column: "; the position goes into fields instead.
    const message = err.message.replace(/^\d+:\d+: /, '');
    throw docError('xml.malformed', `The document is not well-formed XML: ${message}`, parser.line, parser.column + 1);
  });
  parser.on('doctype', () => {
    throw docError(
      'xml.doctype',
      'The document has a DOCTYPE declaration; network XML never needs one and it is refused so that no entity is ever expanded.',
      parser.line,
      parser.column + 1,
    );
  });
  parser.on('opentagstart', (tag) => {
    // saxes reports the position just after the name and the character that ended it.
    startLine = parser.line;
    startColumn = parser.column - tag.name.length - 1;
    if (startColumn < 1) startColumn = 1;
    if (++elements > limits.maxElements)
      throw docError(
        'xml.too-many-elements',
        `The document has more than ${limits.maxElements} elements (the maxElements limit).`,
        startLine,
        startColumn,
      );
    if (stack.length >= limits.maxDepth)
      throw docError(
        'xml.too-deep',
        `Elements are nested more than ${limits.maxDepth} levels deep (the maxDepth limit).`,
        startLine,
        startColumn,
      );
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const node = new XNode(tag.name, tag.attributes as Record<string, string>, top, startLine, startColumn);
    if (top === undefined) root = node;
    else {
      top.children.push(node);
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
    if (top === undefined) return;
    top.text += t;
    if (top.items !== undefined) top.items.push(t);
    else if (!isBlank(t)) top.items = [...top.children, t];
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.write(text).close();
  if (root === undefined) throw docError('xml.malformed', 'The document has no root element.');
  return root;
}
