/**
 * `<metadata>` and `<dnsmasq:options>`.
 *
 * @module
 */
import type { XmlElement } from '../../model/xml-node.js';
import { escapeAttribute } from '../escape.js';
import { dumpElement } from '../metadata-dump.js';
import { indent } from './indent.js';

/** `<metadata>` with its children dumped as libxml2 does; omitted when it has no element. */
export function formatMetadata(metadata: XmlElement[] | undefined, level: number): string {
  if (metadata === undefined || metadata.length === 0) return '';
  let body = '';
  for (const element of metadata) body += dumpElement(element, level + 1);
  return `${indent(level)}<metadata>\n${body}${indent(level)}</metadata>\n`;
}

/** `<dnsmasq:options>` with one `<dnsmasq:option value/>` per line; omitted when empty. */
export function formatDnsmasqOptions(options: string[] | undefined, level: number): string {
  if (options === undefined || options.length === 0) return '';
  const inner = indent(level + 1);
  let body = '';
  for (const value of options) body += `${inner}<dnsmasq:option value='${escapeAttribute(value)}'/>\n`;
  return `${indent(level)}<dnsmasq:options>\n${body}${indent(level)}</dnsmasq:options>\n`;
}
