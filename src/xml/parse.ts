/**
 * Reading libvirt network XML into the {@link Network} model, with libvirt 11.3's parser checks
 * (`virNetworkDefParseXML`) and protections against hostile input.
 *
 * @module
 */
import type { Either } from 'fp-ts/lib/Either.js';
import { left, right } from 'fp-ts/lib/Either.js';
import type { Network } from '../model/network.js';
import { NetworkXmlError } from './errors.js';
import { resolveLimits } from './limits.js';
import { ParseContext, checkKnownNames } from './parse/context.js';
import { decodeNetworkRoot } from './parse/network.js';
import { NETWORK_SPEC } from './parse/schema.js';
import { pathLocator, type SourcePosition } from './locate.js';
import { buildTree, locate, type XNode } from './tree.js';

/** Options of {@link parseNetwork} and {@link decodeNetwork}. */
export interface ParseOptions {
  /**
   * Refuse elements and attributes libvirt's schema does not know (`unknown.element`,
   * `unknown.attribute`), as `virsh net-define --validate` does. Default false: they are
   * ignored, as libvirt ignores them.
   */
  strict?: boolean;
  /**
   * Keep unknown elements and attributes in the `unknown` field of the enclosing model object,
   * so the formatter can write them back. Default false.
   */
  preserveUnknown?: boolean;
  /** Give a network without `<uuid>` a random v4 UUID, as libvirt does. Default true. */
  generateUuid?: boolean;
  /** Largest accepted input in bytes of UTF-8; default 16 MiB. Checked before parsing. */
  maxBytes?: number;
  /** Deepest accepted element nesting; default 64. */
  maxDepth?: number;
  /** Most elements accepted; default 1,000,000. */
  maxElements?: number;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function docError(code: 'xml.too-large' | 'xml.encoding' | 'xml.root' | 'xml.internal', message: string, line?: number, column?: number): NetworkXmlError {
  const p: ConstructorParameters<typeof NetworkXmlError>[0] = { code, path: code === 'xml.root' ? '/' : '', message };
  if (line !== undefined) p.line = line;
  if (column !== undefined) p.column = column;
  return new NetworkXmlError(p);
}

function decodeInput(xml: string | Uint8Array, maxBytes: number): string {
  if (typeof xml === 'string') {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only count exactly when it could matter.
    if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml, 'utf8') > maxBytes))
      throw docError('xml.too-large', `The document is larger than ${maxBytes} bytes (the maxBytes limit).`);
    if (LONE_SURROGATE.test(xml))
      throw docError('xml.encoding', 'The document text holds an unpaired UTF-16 surrogate, which is not a character.');
    return xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  }
  if (!(xml instanceof Uint8Array)) throw docError('xml.encoding', 'The document must be a string or a Uint8Array.');
  if (xml.byteLength > maxBytes)
    throw docError('xml.too-large', `The document is ${xml.byteLength} bytes, larger than ${maxBytes} bytes (the maxBytes limit).`);
  try {
    // fatal: invalid UTF-8 throws; a leading BOM is removed.
    return utf8.decode(xml);
  } catch {
    throw docError('xml.encoding', 'The document is not valid UTF-8.');
  }
}

/**
 * Parse a libvirt network document into the model. Throws {@link NetworkXmlError} for anything
 * libvirt's parser would refuse and for malformed, hostile or over-limit input; never throws
 * anything else.
 *
 * @example
 * ```ts
 * import { parseNetwork } from 'virtnet';
 *
 * const net = parseNetwork(`<network>
 *   <name>default</name>
 *   <forward mode='nat'/>
 *   <ip address='192.168.122.1' netmask='255.255.255.0'/>
 * </network>`);
 * net.forward?.mode; // 'nat'
 * ```
 */
export function parseNetwork(xml: string | Uint8Array, options: ParseOptions = {}): Network {
  return parseDocument(xml, options).network;
}

/** A parsed network with a way back to its source text; see {@link parseNetworkWithSource}. */
export interface NetworkWithSource {
  network: Network;
  /**
   * The position of an element path in the document: the attribute's when the path ends in
   * `/@name` and the element has that attribute, else the `<` of the element's start tag.
   * Undefined for a malformed path or an element the document does not have (a problem about a
   * missing element: locate its parent path instead).
   *
   * Paths are those of `validateNetwork` (`/network/ip[1]/dhcp/host[3]/@mac`: `[n]` on repeatable
   * elements, none on singletons); `NetworkXmlError` paths work too. A step without `[n]` means
   * the first such element; `dnsmasq:` steps match by namespace whatever prefix the document uses,
   * and `/network/dnsmasq:options/dnsmasq:option[n]` counts the options of every
   * `<dnsmasq:options>` together, as the model lists them.
   */
  locate(path: string): SourcePosition | undefined;
}

/**
 * {@link parseNetwork}, also returning `locate(path)`, which finds where a model-level problem
 * (from `validateNetwork`) comes from in the document. The plain parse stays as it is; positions
 * are worked out only when `locate` is called (the document text and element tree are kept
 * alive as long as `locate` is).
 *
 * @example
 * ```ts
 * import { parseNetworkWithSource, validateNetwork } from 'virtnet';
 *
 * const { network, locate } = parseNetworkWithSource(xml);
 * for (const p of validateNetwork(network)) {
 *   const at = locate(p.path);
 *   console.error(`net.xml${at ? `:${at.line}:${at.column}` : ''}: ${p.path}: ${p.message}`);
 * }
 * ```
 */
export function parseNetworkWithSource(xml: string | Uint8Array, options: ParseOptions = {}): NetworkWithSource {
  const { network, text, root } = parseDocument(xml, options);
  return { network, locate: pathLocator(text, root) };
}

/** The parse itself: the model, and the decoded text and element tree it was read from. */
function parseDocument(xml: string | Uint8Array, options: ParseOptions): { network: Network; text: string; root: XNode } {
  try {
    const limits = resolveLimits(options);
    const text = decodeInput(xml, limits.maxBytes);
    const root = buildTree(text, limits, typeof xml !== 'string');
    if (root.name !== 'network')
      throw docError('xml.root', `The root element is <${root.name}>; a network document starts with <network>.`, locate(text, root).line, locate(text, root).column);
    const ctx = new ParseContext(text, options.strict === true, options.preserveUnknown === true);
    if (ctx.strict) checkKnownNames(root, NETWORK_SPEC, ctx);
    return { network: decodeNetworkRoot(root, ctx, { generateUuid: options.generateUuid !== false }), text, root };
  } catch (e) {
    if (e instanceof NetworkXmlError) throw e;
    // Anything else is a bug or resource exhaustion; it still leaves as the typed error.
    const message = e instanceof Error ? e.message : String(e);
    throw docError('xml.internal', `The document could not be parsed: ${message}`);
  }
}

/**
 * {@link parseNetwork} returning an fp-ts `Either` instead of throwing.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * const result = decodeNetwork(xml);
 * if (isRight(result)) console.log(result.right.name);
 * else console.error(result.left.format('net.xml'));
 * ```
 */
export function decodeNetwork(xml: string | Uint8Array, options?: ParseOptions): Either<NetworkXmlError, Network> {
  try {
    return right(parseNetwork(xml, options));
  } catch (e) {
    return left(e as NetworkXmlError);
  }
}
