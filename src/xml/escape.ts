/**
 * Escaping of values written into the canonical network XML.
 *
 * libvirt writes most strings through `virBufferEscapeString`, which turns `< > & " '` into
 * entities and silently drops the control characters 0x01–0x08, 0x0B, 0x0C and 0x0E–0x19. A few
 * fields are written raw with `%s` (dhcp host mac/id/name, `<domain name>`, portgroup name,
 * ip/route family, virtualport profileid). Every function here keeps libvirt's bytes for every
 * value a parser can produce from a well-formed document, and departs from libvirt only where
 * libvirt's bytes would not be well-formed XML or would not read back as the same value.
 *
 * Each function tests the value once with a regular expression and returns it untouched when
 * nothing needs escaping, which is by far the common case.
 *
 * @module
 */

/**
 * Characters XML 1.0 forbids anywhere in a document: C0 controls other than TAB/LF/CR, lone
 * surrogates and U+FFFE/U+FFFF. libvirt drops 0x01–0x08, 0x0B, 0x0C, 0x0E–0x19 and keeps the
 * rest; we drop them all, because a kept 0x1A–0x1F (or a NUL, which ends a C string) makes the
 * document unreadable, and no parser can hand us such a value from a well-formed document.
 */
const FORBIDDEN = '\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF';

/**
 * The same characters as one character class (every surrogate included), for the quick test
 * that decides whether a value needs the slower precise replacement at all.
 */
const SUSPECT = '\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\uD800-\\uDFFF\\uFFFE\\uFFFF';

const ENTITY: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
  // Only reached for attribute values: see escapeAttribute.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function entity(ch: string): string {
  return ENTITY[ch] ?? '';
}

const ATTRIBUTE_TEST = new RegExp(`[<>&"'\\t\\n\\r${SUSPECT}]`);
const ATTRIBUTE_ALL = new RegExp(`[<>&"'\\t\\n\\r${FORBIDDEN}]`, 'g');

/**
 * A value of a single-quoted attribute that libvirt writes with `virBufferEscapeString`.
 *
 * Departure from libvirt: TAB, LF and CR become character references. libvirt writes them raw,
 * and every XML parser normalises raw whitespace in attribute values to spaces, so libvirt's own
 * output reads back as a different value. A parser produces such characters only from character
 * references, which libvirt's corpus never contains.
 *
 * @example
 * ```ts
 * escapeAttribute("it's <b>"); // "it&apos;s &lt;b&gt;"
 * ```
 */
export function escapeAttribute(value: string): string {
  return ATTRIBUTE_TEST.test(value) ? value.replace(ATTRIBUTE_ALL, entity) : value;
}

const TEXT_TEST = new RegExp(`[<>&"'\\r${SUSPECT}]`);
const TEXT_ALL = new RegExp(`[<>&"'\\r${FORBIDDEN}]`, 'g');

/**
 * Character data that libvirt writes with `virBufferEscapeString` (`<name>`, `<title>`,
 * `<description>`, `<hostname>`). Newlines and tabs stay raw as in libvirt; CR becomes `&#13;`
 * because a raw CR reads back as LF.
 *
 * @example
 * ```ts
 * escapeText('a & b'); // "a &amp; b"
 * ```
 */
export function escapeText(value: string): string {
  return TEXT_TEST.test(value) ? value.replace(TEXT_ALL, entity) : value;
}

const RAW_TEST = new RegExp(`['<&\\t\\n\\r${SUSPECT}]`);
const RAW_ALL = new RegExp(`['<&\\t\\n\\r${FORBIDDEN}]`, 'g');

/**
 * A single-quoted attribute value that libvirt writes raw (`%s`, no escaping).
 *
 * Project rule: output is always well-formed. libvirt's raw output of a value holding `'`, `<` or
 * `&` would not be, so exactly those are escaped (and TAB/LF/CR referenced, forbidden characters
 * dropped, as in {@link escapeAttribute}); `>` and `"` stay raw as libvirt writes them. For any
 * value a well-formed document can carry without those characters the bytes equal libvirt's.
 *
 * @example
 * ```ts
 * escapeRawAttribute('a"b>c'); // 'a"b>c' (unchanged, as libvirt)
 * escapeRawAttribute("o'neil"); // "o&apos;neil"
 * ```
 */
export function escapeRawAttribute(value: string): string {
  return RAW_TEST.test(value) ? value.replace(RAW_ALL, entity) : value;
}
