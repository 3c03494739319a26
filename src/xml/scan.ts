/**
 * The fast path of the XML reader: one hand-written pass over the text that builds the same
 * {@link XNode} tree as the saxes path in `tree.ts`, for the plain XML real network documents are
 * made of (elements, attributes, text, the five predefined entities, character references,
 * comments, an XML declaration).
 *
 * It never reports an error. Whatever it does not fully handle, and anything not well-formed,
 * makes it return `undefined`, and the caller then runs saxes over the same text: saxes decides
 * what is an error and says where. So the scanner may only accept documents saxes accepts, and
 * must build exactly the tree saxes' events build (same names, attributes in the same order, same
 * text chunks, same `end` indexes). The differential test in test/xml/scan.test.ts holds it to that.
 *
 * Why it exists: saxes reads about 100 MB/s (a closure call and a state switch per character);
 * this scanner jumps with `indexOf` and tight `charCodeAt` loops and reads a 1,000-host network
 * several times faster, which is what lets parsing beat libvirt's C parser by a margin.
 *
 * What makes it bail out (saxes then takes over): a DOCTYPE, CDATA, processing instructions (only
 * a leading `<?xml version="1.0" …?>` declaration is read), names outside `[A-Za-z_][A-Za-z0-9._-]*`
 * with at most one inner `:`, entities other than the predefined five and valid character
 * references, characters XML 1.0 forbids, lone surrogates, `<` in attribute values, `]]>` in text,
 * a comment with `--` inside, duplicate attributes, mismatched or unclosed tags, text or a second
 * element outside the root, XML 1.1, a non-UTF-8 encoding declared in bytes, and the depth and
 * element limits (saxes raises the limit error with its exact position).
 *
 * @module
 */
import type { XmlLimits } from './limits.js';
import { appendText, newAttributes, XNode } from './tree.js';

/** Character classes of ASCII for names: bit 1 may start a name, bit 2 may continue one. */
const NAME_START = 1;
const NAME_CHAR = 2;
const NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  const other = (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x3a;
  NAME_CLASS[c] = (letter ? NAME_START | NAME_CHAR : 0) | (other ? NAME_CHAR : 0);
}

/** ASCII that stands for itself in an attribute value: printable, not `&`, `<` or a quote. */
const PLAIN_VALUE = new Uint8Array(128);
for (let c = 0x20; c < 0x7f; c++) PLAIN_VALUE[c] = c === 0x26 || c === 0x3c || c === 0x22 || c === 0x27 ? 0 : 1;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const COLON = 0x3a;
const EQUALS = 0x3d;
const QUESTION = 0x3f;
const BANG = 0x21;
const CLOSE_BRACKET = 0x5d;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** XML white space (S): what saxes skips between names and treats as blank. */
function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

/**
 * Index just after the name starting at `i`, or -1 when there is no name there or it is outside
 * the subset the scanner reads: ASCII `[A-Za-z_][A-Za-z0-9._:-]*` with at most one `:`, followed
 * by a name start. A non-ASCII character right after the name also gives -1: saxes might read it
 * as part of the name.
 */
function nameEnd(text: string, i: number): number {
  let c = text.charCodeAt(i);
  if (!(c < 128 && (NAME_CLASS[c]! & NAME_START) !== 0)) return -1;
  let colons = 0;
  let j = i + 1;
  for (;;) {
    c = text.charCodeAt(j);
    if (!(c < 128 && (NAME_CLASS[c]! & NAME_CHAR) !== 0)) break;
    if (c === COLON) {
      const next = text.charCodeAt(j + 1);
      if (++colons > 1 || !(next < 128 && (NAME_CLASS[next]! & NAME_START) !== 0)) return -1;
    }
    j++;
  }
  return c >= 128 ? -1 : j;
}

/**
 * Names seen before, by a hash of their length and first and last characters. A document repeats
 * a handful of names thousands of times; taking the cached string instead of slicing a new one
 * spares an allocation and, above all, V8's interning of a fresh string each time it is used as
 * an attribute key (that lookup was the scanner's largest cost). Bounded: a slot holds one name.
 */
const NAME_CACHE: Array<string | undefined> = new Array<string | undefined>(1024).fill(undefined);

/** Longest name kept in {@link NAME_CACHE}; longer ones are rare and simply sliced. */
const NAME_CACHE_MAX = 40;

/** The name `text[start, end)`, from {@link NAME_CACHE} when it is there. */
function nameAt(text: string, start: number, end: number): string {
  const length = end - start;
  if (length > NAME_CACHE_MAX) return text.slice(start, end);
  const slot = (length * 61 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 3) & 1023;
  const cached = NAME_CACHE[slot];
  if (cached !== undefined && cached.length === length) {
    let k = 0;
    while (k < length && cached.charCodeAt(k) === text.charCodeAt(start + k)) k++;
    if (k === length) return cached;
  }
  const name = text.slice(start, end);
  NAME_CACHE[slot] = name;
  return name;
}

/**
 * Index just after the well-formed run of XML 1.0 characters in `[from, to)`, i.e. `to` when all
 * are allowed; otherwise the index of the first forbidden one (a C0 control other than TAB, LF,
 * CR; a lone surrogate; U+FFFE or U+FFFF).
 */
function charsEnd(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < SPACE) {
      if (c !== TAB && c !== LF && c !== CR) return i;
    } else if (c >= 0xd800) {
      if (c <= 0xdbff) {
        const low = text.charCodeAt(i + 1);
        if (!(i + 1 < to && low >= 0xdc00 && low <= 0xdfff)) return i;
        i++;
      } else if (c <= 0xdfff || c >= 0xfffe) return i;
    }
  }
  return to;
}

/** Whether the code point is a character XML 1.0 allows (what saxes checks character references against). */
function isXmlChar(cp: number): boolean {
  return (
    cp === TAB || cp === LF || cp === CR || (cp >= SPACE && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The five predefined entities, with their `;`, and what they stand for. */
const PREDEFINED: ReadonlyArray<readonly [string, string]> = [
  ['lt;', '<'],
  ['gt;', '>'],
  ['amp;', '&'],
  ['quot;', '"'],
  ['apos;', "'"],
];

/** Where the last {@link decodeEntity} call stopped: the index just after its `;`. */
let entityEnd = 0;

/**
 * The text of the entity or character reference whose `&` is at `amp`, or undefined when it is
 * anything but one of the five predefined entities or a reference to an allowed character (saxes
 * would refuse those, or, for entities a DOCTYPE declares, the document never gets this far).
 * Sets {@link entityEnd}.
 */
function decodeEntity(text: string, amp: number): string | undefined {
  const i = amp + 1;
  if (text.charCodeAt(i) === 0x23 /* # */) {
    // saxes: `#x` (lower-case x) with hex digits, or `#` with decimal digits; parseInt, isChar.
    const hex = text.charCodeAt(i + 1) === 0x78;
    let j = hex ? i + 2 : i + 1;
    const digitsStart = j;
    let cp = 0;
    for (;; j++) {
      const c = text.charCodeAt(j);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10ffff) return undefined;
    }
    if (j === digitsStart || text.charCodeAt(j) !== 0x3b || !isXmlChar(cp)) return undefined;
    entityEnd = j + 1;
    return String.fromCodePoint(cp);
  }
  // A named entity is its name and `;`: saxes reads up to the first `;`.
  for (const [entity, value] of PREDEFINED) {
    if (text.startsWith(entity, i)) {
      entityEnd = i + entity.length;
      return value;
    }
  }
  return undefined;
}

/** How many attribute names of one tag the duplicate check keeps in {@link TAG_ATTRIBUTES}. */
const FEW_ATTRIBUTES = 8;

/** The first attribute names of the tag being read (reused from tag to tag). */
const TAG_ATTRIBUTES: string[] = new Array<string>(FEW_ATTRIBUTES).fill('');

/** Where the last {@link attributeValueSlow} call stopped: the index of the closing quote. */
let valueEnd = 0;

/**
 * The value of the attribute whose text starts at `start` (just after the opening `quote`), for
 * values holding references, white space other than spaces, or non-ASCII: references decoded,
 * TAB, LF and CR (CR LF as one) turned into spaces as saxes does. Undefined for anything saxes
 * refuses (`<`, forbidden characters, bad references, no closing quote). Sets {@link valueEnd}.
 */
function attributeValueSlow(text: string, start: number, quote: number): string | undefined {
  let out = '';
  let from = start;
  for (let i = start; ; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      valueEnd = i;
      return out + text.slice(from, i);
    }
    if (c === AMP) {
      const decoded = decodeEntity(text, i);
      if (decoded === undefined) return undefined;
      out += text.slice(from, i) + decoded;
      from = entityEnd;
      i = entityEnd - 1;
    } else if (c === TAB || c === LF || c === CR) {
      out += text.slice(from, i) + ' ';
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      from = i + 1;
    } else if (c === LT || c !== c /* NaN: end of text */) {
      return undefined;
    } else if (c < SPACE || c >= 0xd800) {
      if (charsEnd(text, i, i + 2) === i) return undefined;
      if (c <= 0xdbff) i++;
    }
  }
}

/**
 * Index just after the comment whose `<!--` is at `i`, or -1 when it is not one saxes accepts
 * (its first `--` must close it; its characters must be allowed).
 */
function commentEnd(text: string, i: number): number {
  if (!text.startsWith('<!--', i)) return -1;
  const close = text.indexOf('--', i + 4);
  if (close < 0 || text.charCodeAt(close + 2) !== GT || charsEnd(text, i + 4, close) !== close) return -1;
  return close + 3;
}

/** Index just after the white space and comments from `i` on (outside the root), or -1 at a bad comment. */
function miscEnd(text: string, i: number): number {
  for (;;) {
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== LT || text.charCodeAt(i + 1) !== BANG) return i;
    i = commentEnd(text, i);
    if (i < 0) return -1;
  }
}

/**
 * Index just after the XML declaration at the start of the text (`i` is its `<`), or -1 when it
 * is not one the scanner takes: it reads `version` (only "1.0": other versions switch saxes to
 * XML 1.1 rules), then optionally `encoding` and `standalone`, in that order, as saxes checks
 * them. With `fromBytes`, an encoding other than UTF-8 also gives -1 (saxes' path refuses it).
 */
function declarationEnd(text: string, i: number, fromBytes: boolean): number {
  let j = i + 5;
  if (!isSpace(text.charCodeAt(j))) return -1;
  const names = ['version', 'encoding', 'standalone'];
  let next = 0; // index in `names` of the first pseudo-attribute still allowed
  for (;;) {
    while (isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === QUESTION) break;
    let which = -1;
    for (let k = next; k < names.length && which < 0; k++) if (text.startsWith(names[k]!, j)) which = k;
    // `version` must come first; after it, encoding and standalone are optional.
    if (which < 0 || (next === 0 && which !== 0)) return -1;
    j += names[which]!.length;
    while (isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== EQUALS) return -1;
    j++;
    while (isSpace(text.charCodeAt(j))) j++;
    const quote = text.charCodeAt(j);
    if (quote !== SQUOTE && quote !== DQUOTE) return -1;
    const close = text.indexOf(quote === SQUOTE ? "'" : '"', j + 1);
    if (close < 0) return -1;
    const value = text.slice(j + 1, close);
    if (which === 0 && value !== '1.0') return -1;
    if (which === 1 && (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(value) || (fromBytes && !/^utf-?8$/i.test(value)))) return -1;
    if (which === 2 && value !== 'yes' && value !== 'no') return -1;
    next = which + 1;
    j = close + 1;
    const after = text.charCodeAt(j);
    if (after === QUESTION) break;
    if (!isSpace(after)) return -1;
  }
  if (next === 0 || text.charCodeAt(j + 1) !== GT) return -1;
  return j + 2;
}

/**
 * Read `text` (decoded, a BOM allowed) into its root element in one pass, or return `undefined`
 * when the document holds anything this scanner does not fully handle or is not well-formed; the
 * caller then parses it with saxes, which builds the same tree or reports the error. With
 * `fromBytes`, a declared encoding other than UTF-8 also returns `undefined`.
 *
 * @example
 * ```ts
 * import { scanTree } from './scan.js';
 * import { resolveLimits } from './limits.js';
 *
 * const root = scanTree("<network><name>n</name></network>", resolveLimits({}));
 * root?.children[0]?.text; // 'n'
 * scanTree('<!DOCTYPE network><network/>', resolveLimits({})); // undefined: saxes decides
 * ```
 */
export function scanTree(text: string, limits: XmlLimits, fromBytes = false): XNode | undefined {
  const { maxDepth, maxElements } = limits;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.startsWith('<?xml', i)) {
    i = declarationEnd(text, i, fromBytes);
    if (i < 0) return undefined;
  }
  i = miscEnd(text, i);
  if (i < 0) return undefined;

  let root: XNode | undefined;
  let top: XNode | undefined;
  let depth = 0;
  let elements = 0;
  // Invariant at the top of the loop: `i` is at a `<` inside or starting the root.
  for (;;) {
    if (text.charCodeAt(i) !== LT) return undefined;
    const c1 = text.charCodeAt(i + 1);
    if (c1 === SLASH) {
      // Close tag: `</name S* >`, the name of the open element.
      if (top === undefined || !text.startsWith(top.name, i + 2)) return undefined;
      let j = i + 2 + top.name.length;
      while (isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== GT) return undefined;
      i = j + 1;
      depth--;
      top = top.parent;
    } else if (c1 === BANG) {
      i = commentEnd(text, i);
      if (i < 0) return undefined;
    } else {
      // Start tag. (A second root cannot get here: the loop ends when the root closes.)
      let j = nameEnd(text, i + 1);
      if (j < 0) return undefined;
      const name = nameAt(text, i + 1, j);
      const attrs = newAttributes();
      let selfClosing = false;
      let attrCount = 0;
      for (;;) {
        let c = text.charCodeAt(j);
        const spaced = isSpace(c);
        while (isSpace(c)) c = text.charCodeAt(++j);
        if (c === GT) {
          j++;
          break;
        }
        if (c === SLASH) {
          if (text.charCodeAt(j + 1) !== GT) return undefined;
          j += 2;
          selfClosing = true;
          break;
        }
        // An attribute, which needs white space before it.
        if (!spaced) return undefined;
        const nameStart = j;
        j = nameEnd(text, j);
        if (j < 0) return undefined;
        const attrName = nameAt(text, nameStart, j);
        while (isSpace(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== EQUALS) return undefined;
        j++;
        while (isSpace(text.charCodeAt(j))) j++;
        const quote = text.charCodeAt(j);
        if (quote !== SQUOTE && quote !== DQUOTE) return undefined;
        const valueStart = ++j;
        // Plain printable ASCII is taken as it stands; anything else goes the careful way.
        for (c = text.charCodeAt(j); c < 128 && PLAIN_VALUE[c] === 1; c = text.charCodeAt(++j));
        let value: string | undefined;
        if (c === quote) value = text.slice(valueStart, j);
        else {
          value = attributeValueSlow(text, valueStart, quote);
          if (value === undefined) return undefined;
          j = valueEnd;
        }
        // Duplicate check: the few names of this tag compare faster than a dictionary lookup;
        // past FEW_ATTRIBUTES the dictionary (which holds them all) answers, so it stays linear.
        if (attrCount < FEW_ATTRIBUTES) {
          for (let k = 0; k < attrCount; k++) if (TAG_ATTRIBUTES[k] === attrName) return undefined;
          TAG_ATTRIBUTES[attrCount] = attrName;
        } else if (attrs[attrName] !== undefined) return undefined;
        attrCount++;
        attrs[attrName] = value;
        j++;
      }
      if (++elements > maxElements || depth >= maxDepth) return undefined;
      const node = new XNode(name, attrs, top, j);
      if (top === undefined) root = node;
      else {
        if (top.children.length === 0) top.children = [node];
        else top.children.push(node);
        if (top.items !== undefined) top.items.push(node);
      }
      if (!selfClosing) {
        top = node;
        depth++;
      }
      i = j;
    }
    if (top === undefined) break;

    // Character data up to the next `<`: one text event in saxes, however many references it holds.
    const lt = text.indexOf('<', i);
    if (lt < 0) return undefined;
    if (lt === i) continue;
    let out = '';
    let built = false;
    let from = i;
    let blank = true;
    for (let k = i; k < lt; k++) {
      const c = text.charCodeAt(k);
      if (c > SPACE && c < 0x7f) {
        blank = false;
        if (c === AMP) {
          const decoded = decodeEntity(text, k);
          if (decoded === undefined) return undefined;
          out += text.slice(from, k) + decoded;
          built = true;
          from = entityEnd;
          k = entityEnd - 1;
        } else if (c === CLOSE_BRACKET && text.charCodeAt(k + 1) === CLOSE_BRACKET && text.charCodeAt(k + 2) === GT) {
          return undefined;
        }
      } else if (c === CR) {
        // End-of-line handling: CR LF and a lone CR both read as LF.
        out += text.slice(from, k) + '\n';
        built = true;
        if (text.charCodeAt(k + 1) === LF) k++;
        from = k + 1;
      } else if (c !== SPACE && c !== LF && c !== TAB) {
        blank = false;
        if (c < SPACE || c >= 0xd800) {
          if (charsEnd(text, k, Math.min(k + 2, lt)) === k) return undefined;
          if (c <= 0xdbff) k++;
        }
      }
    }
    // Blank text between child elements is dropped by appendText: skip building it at all.
    if (!(blank && !built && top.items === undefined && top.children.length !== 0))
      appendText(top, built ? out + text.slice(from, lt) : text.slice(i, lt));
    i = lt;
  }

  i = miscEnd(text, i);
  return i === text.length ? root : undefined;
}
