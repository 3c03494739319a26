/**
 * Guards for every string that reaches a dnsmasq file. libvirt writes model strings into the
 * conf, hostsfile and addnhosts files unquoted; dnsmasq then reads those files line by line with
 * its own rules (option.c `read_file`): a `"` toggles quoting and is removed, whitespace followed
 * by `#` starts a comment, tabs become spaces, leading and trailing spaces are dropped, and a
 * line longer than 1024 bytes is cut, its tail read as a further option line. Each field is then
 * split on `,` (and `server=`/`local=` domains on `/`). A value that any of these rules would
 * change could smuggle in a new option or shift the fields after it, so it is refused here with
 * a {@link CompileError} (`dnsmasq.unsafe-value`) that names the element path.
 *
 * @module
 */
import { CompileError } from '../errors.js';

/** The error code of every refusal in this module. */
export const UNSAFE = 'dnsmasq.unsafe-value';

/**
 * The longest line, in UTF-8 bytes without its newline, that dnsmasq 2.90 reads whole. Measured
 * on the conf (1024 passes, 1025 is split and its tail parsed as a new option, so a crafted value
 * could inject `dhcp-script=`) and on the dhcp-hostsfile (a split line's tail becomes another
 * host entry). The addn-hosts reader is token-based and has no such limit.
 */
export const MAX_LINE_BYTES = 1024;

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\n') return 'a newline';
  if (ch === '\r') return 'a carriage return';
  if (ch === '\0') return 'a NUL character';
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
  if (ch === ' ') return 'a space';
  return `'${ch}'`;
}

function refuse(path: string, value: string, why: string): never {
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  throw new CompileError(UNSAFE, path, `${JSON.stringify(shown)} cannot be written to dnsmasq's configuration: ${why}`);
}

/** Refuse the three characters that end a line (or a C string) anywhere: `\n`, `\r`, NUL. */
export function refuseLineBreaks(value: string, path: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0) refuse(path, value, `it contains ${describe(value[i]!)}`);
  }
  return value;
}

/** Extra characters a field may not hold, each with the reason shown in the error. */
export interface Forbidden {
  readonly why: Readonly<Record<string, string>>;
  /** Matches any of the characters (null when there are none). */
  readonly pattern: RegExp | null;
}

/** Build a {@link Forbidden} set once, at module load. */
export function forbid(why: Record<string, string>): Forbidden {
  const chars = Object.keys(why);
  const escaped = chars.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
  return { why: { ...why }, pattern: chars.length ? new RegExp(`[${escaped}]`) : null };
}

const COMMA_WHY = 'a comma would end this field and shift the ones after it';
const SLASH_WHY = "a '/' would end the domain list of server=/…/ or local=/…/";
/** Nothing beyond the common rules. */
export const NOTHING = forbid({});
/** `,` separates the fields of most dnsmasq options and of hostsfile lines. */
export const COMMA = forbid({ ',': COMMA_WHY });
/** `,` and the `/` that delimits the domains of `server=/…/` and `local=/…/`. */
export const COMMA_SLASH = forbid({ ',': COMMA_WHY, '/': SLASH_WHY });

/** Anything the common rules refuse: control characters, `"`, ` #`, an edge space. */
const SUSPECT = /[\x00-\x1f\x7f"]| #|^ | $/;

/**
 * Check a value that dnsmasq must read back unchanged from a conf or hostsfile line: no control
 * characters (line breaks included), no `"`, no space before `#`, no leading or trailing space,
 * and none of the `forbidden` characters. Returns the value. (dnsmasq's whitespace is C
 * `isspace`: ASCII only, so other Unicode spaces are ordinary characters to it.)
 */
export function confText(value: string, path: string, forbidden: Forbidden = NOTHING): string {
  if (typeof value !== 'string') refuse(path, String(value), 'it is not a string');
  // Fast path: one or two regex scans for the common, clean case.
  if (!SUSPECT.test(value) && !(forbidden.pattern && forbidden.pattern.test(value))) return value;
  refuseLineBreaks(value, path);
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) refuse(path, value, `it contains ${describe(ch)}`);
    if (ch === '"') refuse(path, value, `dnsmasq removes '"' (it toggles quoting)`);
    if (ch === '#' && i > 0 && value[i - 1] === ' ') refuse(path, value, "dnsmasq reads ' #' as the start of a comment");
    if (Object.prototype.hasOwnProperty.call(forbidden.why, ch)) refuse(path, value, forbidden.why[ch]!);
  }
  refuse(path, value, 'dnsmasq drops leading and trailing spaces');
}

/**
 * Check a single-word value (domain, host name, SRV label, client id…): {@link confText}, not
 * empty, and no whitespace at all.
 */
export function confToken(value: string, path: string, forbidden: Forbidden = NOTHING): string {
  if (value === '') refuse(path, value, 'it is empty');
  confText(value, path, forbidden);
  if (value.includes(' ')) refuse(path, value, 'it contains a space');
  return value;
}

/**
 * Check that a line (without its newline) is no longer than dnsmasq reads in one piece: dnsmasq
 * splits a longer line and parses the tail as a new option or host entry. `line` is the 0-based
 * line number, `pathOf` names the element that produced it (called only for the error).
 */
export function checkLineLength(text: string, line: number, pathOf: () => string): void {
  // Only non-ASCII text can be longer in bytes than in UTF-16 units; count bytes only then.
  if (text.length <= MAX_LINE_BYTES / 3) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_LINE_BYTES) {
    throw new CompileError(
      UNSAFE,
      pathOf(),
      `line ${line + 1} would be ${bytes} bytes long; dnsmasq reads at most ${MAX_LINE_BYTES} bytes per line and would parse the rest as a new option`,
    );
  }
}

/** Check a non-negative safe integer (ports, weights, MTU, lease times) before printing it. */
export function integer(value: number, path: string): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new CompileError(UNSAFE, path, `${String(value)} is not a non-negative integer`);
  return String(value);
}
