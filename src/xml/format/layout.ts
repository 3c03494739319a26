/**
 * Layout helpers shared by the per-element formatters: indentation strings, and putting back the
 * unknown attributes and elements that `parseNetwork(xml, { preserveUnknown: true })` kept.
 *
 * @module
 */
import type { Unknown, UnknownElement } from '../../model/xml-node.js';
import { escapeAttribute } from '../escape.js';
import { dumpElement } from '../metadata-dump.js';
import { indent } from './indent.js';

export { indent };

/** The unknown attributes of an element, written after the known ones (source order). */
export function unknownAttributes(unknown: Unknown | undefined): string {
  const attributes = unknown?.attributes;
  if (attributes === undefined || attributes.length === 0) return '';
  let out = '';
  for (const a of attributes) out += ` ${a.name}='${escapeAttribute(a.value)}'`;
  return out;
}

/** The unknown child elements of an element, or undefined when there are none. */
export function unknownElements(unknown: Unknown | undefined): UnknownElement[] | undefined {
  const elements = unknown?.elements;
  return elements !== undefined && elements.length > 0 ? elements : undefined;
}

/**
 * The children of one element, collected as (name, text) slots so that unknown elements can be
 * put back among them. Formatters only create one when the element has unknown children; without
 * any they concatenate directly (see {@link put}).
 */
export type Slots = string[];

/** Append a known child: to the slots when there are unknown elements, else to the string. */
export function put(slots: Slots | undefined, out: string, name: string, text: string): string {
  if (slots === undefined) return out + text;
  if (text !== '') slots.push(name, text);
  return out;
}

/**
 * Join the known children with the unknown elements: each unknown element goes right after the
 * last known child named by its `after`, or first when `after` is absent (it preceded every known
 * child in the source), or last when no child of that name is written.
 */
export function weave(slots: Slots, elements: UnknownElement[], level: number): string {
  const after = new Map<string, string>();
  let first = '';
  let last = '';
  const lastIndex = new Map<string, number>();
  for (let i = 0; i < slots.length; i += 2) lastIndex.set(slots[i]!, i);
  for (const u of elements) {
    const text = dumpElement(u.element, level);
    if (u.after === undefined) first += text;
    else if (lastIndex.has(u.after)) after.set(u.after, (after.get(u.after) ?? '') + text);
    else last += text;
  }
  let out = first;
  for (let i = 0; i < slots.length; i += 2) {
    out += slots[i + 1]!;
    if (lastIndex.get(slots[i]!) === i) out += after.get(slots[i]!) ?? '';
  }
  return out + last;
}

/** Start collecting slots when the element has unknown children. */
export function slotsFor(unknown: Unknown | undefined): Slots | undefined {
  return unknownElements(unknown) ? [] : undefined;
}

/** Finish the children of an element started with {@link slotsFor}. */
export function children(slots: Slots | undefined, out: string, unknown: Unknown | undefined, level: number): string {
  return slots === undefined ? out : weave(slots, unknown!.elements!, level);
}

/**
 * Close an element whose attributes are already written: `/>` when it has no children, otherwise
 * `>`, the children, and the closing tag.
 */
export function close(name: string, inner: string, level: number): string {
  return inner === '' ? '/>\n' : `>\n${inner}${indent(level)}</${name}>\n`;
}

/** A one-line element, opened into a pair only when unknown child elements must be written. */
export function leafElement(name: string, attrs: string, unknown: Unknown | undefined, level: number): string {
  const slots = slotsFor(unknown);
  const inner = slots ? children(slots, '', unknown, level + 1) : '';
  return `${indent(level)}<${name}${attrs}${unknownAttributes(unknown)}${close(name, inner, level)}`;
}

/** Whether preserved unknown content (attributes or elements) must be written. */
export function hasUnknown(unknown: Unknown | undefined): boolean {
  return unknown !== undefined && ((unknown.attributes?.length ?? 0) > 0 || (unknown.elements?.length ?? 0) > 0);
}
