/**
 * Finding an element path (`/network/ip[2]/dhcp/host[3]/@mac`) in a parsed document, so that
 * problems found on the model (by `validateNetwork`) can be printed with the line and column they
 * come from. Built only on request (see `parseNetworkWithSource`): a plain parse pays nothing.
 *
 * @module
 */
import { isDnsmasqElement } from './parse/schema.js';
import type { XNode } from './tree.js';
import { attributeIndex } from './tree.js';

/** A 1-based line and column in the document text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One step of a path: an element name and its 1-based index among same-name siblings, if any. */
interface Step {
  name: string;
  index: number | undefined;
}

const STEP = /^([^\s/[\]@]+)(?:\[([1-9]\d*)\])?$/;

function parsePath(path: string): { steps: Step[]; attr: string | undefined } | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.slice(1).split('/');
  let attr: string | undefined;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.startsWith('@')) {
    attr = last.slice(1);
    parts.pop();
    if (attr === '') return undefined;
  }
  const steps: Step[] = [];
  for (const part of parts) {
    const m = STEP.exec(part);
    if (m === null) return undefined;
    steps.push({ name: m[1]!, index: m[2] === undefined ? undefined : Number(m[2]) });
  }
  return { steps, attr };
}

/**
 * True when `node` is what the step names. `<dnsmasq:…>` elements are matched by namespace, not
 * by the prefix written in the document (the paths always say `dnsmasq:`).
 */
function matches(node: XNode, name: string): boolean {
  if (name.startsWith('dnsmasq:')) return isDnsmasqElement(node, name.slice('dnsmasq:'.length));
  return node.name === name;
}

/**
 * The element a path names, or undefined when the document has none. A step without `[n]` means
 * the first such element (libvirt reads the first of a singleton), a step with it the n-th among
 * the same-name children; so both the validator's paths and the parser's (`NetworkXmlError.path`)
 * are found. One departure, for the validator's flattened `<dnsmasq:option>` list: the children of
 * every `<dnsmasq:options>` are counted together, as the model holds them in one list.
 */
function findElement(root: XNode, steps: readonly Step[]): XNode | undefined {
  const first = steps[0];
  if (first === undefined || first.name !== root.name || (first.index ?? 1) !== 1) return undefined;
  let current: XNode[] = [root];
  for (let s = 1; s < steps.length; s++) {
    const { name, index } = steps[s]!;
    const found: XNode[] = [];
    for (const parent of current) for (const child of parent.children) if (matches(child, name)) found.push(child);
    if (found.length === 0) return undefined;
    if (index !== undefined) {
      const pick = found[index - 1];
      if (pick === undefined) return undefined;
      current = [pick];
    } else current = name.startsWith('dnsmasq:') ? found : [found[0]!];
  }
  return current[0];
}

/**
 * A `locate(path)` function over one document: the position of the attribute when the path ends
 * in `/@name` and the element has it, else of the `<` of the element's start tag; undefined when
 * the path is malformed or names an element the document does not have (a problem about a
 * missing element has no place of its own: locate its parent). Line starts are indexed on the
 * first call, so each call costs the path's depth plus a binary search.
 */
export function pathLocator(text: string, root: XNode): (path: string) => SourcePosition | undefined {
  let lineStarts: number[] | undefined;
  return (path: string): SourcePosition | undefined => {
    const parsed = parsePath(path);
    if (parsed === undefined) return undefined;
    const node = findElement(root, parsed.steps);
    if (node === undefined) return undefined;
    const index = attributeIndex(text, node, parsed.attr ?? '');
    lineStarts ??= indexLines(text);
    // The last line start at or before `index`.
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - lineStarts[lo]! + 1 };
  };
}

/** The string index where each line starts (lines end at `\n`, as in `lineColumn` in tree.ts). */
function indexLines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
