/**
 * `<metadata>`: kept as generic XML after libvirt's namespace sanitising
 * (`virXMLNodeSanitizeNamespaces`): children without a namespace are dropped, and of several
 * children in the same namespace only the first is kept. Each kept child is self-contained: a
 * namespace declared on an ancestor is declared again on the child.
 *
 * @module
 */
import type { XmlElement } from '../../model/xml-node.js';
import type { XNode } from '../tree.js';
import { toDetachedXmlElement } from './context.js';
import { resolvePrefix, splitName } from './schema.js';

/** Namespace URI of an element (by its prefix, or the default namespace), or undefined. */
function namespaceOf(node: XNode): string | undefined {
  const [prefix] = splitName(node.name);
  const uri = resolvePrefix(node, prefix);
  return uri === '' ? undefined : uri;
}

/**
 * Decode the first `<metadata>`; undefined when it has no element child (libvirt keeps nothing
 * then).
 */
export function decodeMetadata(node: XNode): XmlElement[] | undefined {
  if (node.children.length === 0) return undefined;
  const seen = new Set<string>();
  const out: XmlElement[] = [];
  for (const c of node.children) {
    const uri = namespaceOf(c);
    if (uri === undefined || seen.has(uri)) continue;
    seen.add(uri);
    out.push(toDetachedXmlElement(c));
  }
  return out;
}
