/**
 * Reading `nft -j list ruleset` (nftables' JSON output, schema version 1) into the same
 * {@link NftListing} that {@link parseNftListing} makes of the text listing: each rule's text is
 * rendered from its JSON statements in the canonical form `nft list` prints (bare `counter`,
 * host prefixes without `/32`/`/128`, `ct state established,related`, `iif "virbr0"`, `reject`
 * for the family's default reject, `masquerade to :1024-65535`, …), so the rest of the code
 * (expectations, scripts, handle lookups) compares against it unchanged.
 *
 * Statements and expressions outside what the renderer knows are never dropped: they appear in
 * the rule text as one `json:{…}` token holding the statement as compact JSON, so such a rule
 * visibly differs from any rule virtnet writes.
 *
 * @module
 */
import { CompileError } from '../errors.js';
import type { NftListedRule, NftListing, NftTableListing } from './nft-state.js';

/** A JSON value as `JSON.parse` gives it (a statement of a rule's `expr` array is one). */
export type NftJsonValue = null | boolean | number | string | NftJsonValue[] | { [key: string]: NftJsonValue };
type Json = NftJsonValue;
type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single key of a `{ "kind": body }` object, with its body; undefined for anything else. */
function single(v: Json | undefined): [string, Json] | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 ? [keys[0]!, v[keys[0]!]!] : undefined;
}

/** `json:{…}`: a statement or expression the renderer does not know, kept visible. */
function opaque(v: Json): string {
  return `json:${JSON.stringify(v)}`;
}

/** Meta keys nft prints without the `meta` keyword (`meta_key_is_unqualified`). */
const UNQUALIFIED_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);
/** Meta keys whose values are interface names, printed double-quoted. */
const QUOTED_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'ibrname', 'obrname', 'ibriport', 'obriport']);

/** The left side of a match: `ip saddr`, `udp dport`, `iif`, `meta l4proto`, `ct state`. */
function leftText(v: Json): { text: string; quoted: boolean; hex: boolean } | undefined {
  const s = single(v);
  if (s === undefined || !isObject(s[1])) return undefined;
  const [kind, body] = s;
  if (kind === 'payload' && typeof body['protocol'] === 'string' && typeof body['field'] === 'string') {
    return { text: `${body['protocol']} ${body['field']}`, quoted: false, hex: false };
  }
  if (kind === 'meta' && typeof body['key'] === 'string') {
    const key = body['key'];
    return { text: UNQUALIFIED_META.has(key) ? key : `meta ${key}`, quoted: QUOTED_META.has(key), hex: key === 'mark' };
  }
  if (kind === 'ct' && typeof body['key'] === 'string') {
    const dir = typeof body['dir'] === 'string' ? `${body['dir']} ` : '';
    return { text: `ct ${dir}${body['key']}`, quoted: false, hex: body['key'] === 'mark' };
  }
  return undefined;
}

/** Host prefixes are listed as bare addresses. */
function prefixText(addr: string, len: number): string {
  const host = addr.includes(':') ? 128 : 32;
  return len === host ? addr : `${addr}/${len}`;
}

/** A value: address, prefix, range, number, word, flag list or anonymous set (marks in nft's `0x%08x`). */
function valueText(v: Json, quoted: boolean, hex = false): string | undefined {
  if (typeof v === 'string') return quoted ? `"${v}"` : v;
  if (typeof v === 'number') return hex ? `0x${v.toString(16).padStart(8, '0')}` : String(v);
  if (Array.isArray(v)) {
    // A bare list is a flag combination (`ct state established,related`).
    const parts = v.map((x) => valueText(x, quoted, hex));
    return parts.every((p) => p !== undefined) ? parts.join(',') : undefined;
  }
  const s = single(v);
  if (s === undefined) return undefined;
  const [kind, body] = s;
  if (kind === 'prefix' && isObject(body) && typeof body['addr'] === 'string' && typeof body['len'] === 'number') {
    return prefixText(body['addr'], body['len']);
  }
  if (kind === 'range' && Array.isArray(body) && body.length === 2) {
    const [a, b] = [valueText(body[0]!, quoted, hex), valueText(body[1]!, quoted, hex)];
    return a === undefined || b === undefined ? undefined : `${a}-${b}`;
  }
  if (kind === 'set') {
    const items = Array.isArray(body) ? body : [body];
    const parts = items.map((x) => valueText(x, quoted, hex));
    return parts.every((p) => p !== undefined) ? `{ ${parts.join(', ')} }` : undefined;
  }
  return undefined;
}

/** `left [op] right`; `==` and `in` are implicit in nft's listing. */
function matchText(body: Json): string | undefined {
  if (!isObject(body) || typeof body['op'] !== 'string' || body['left'] === undefined || body['right'] === undefined) return undefined;
  const left = leftText(body['left']);
  if (left === undefined) return undefined;
  const right = valueText(body['right'], left.quoted, left.hex);
  if (right === undefined) return undefined;
  const op = body['op'] === '==' || body['op'] === 'in' ? '' : `${body['op']} `;
  return `${left.text} ${op}${right}`;
}

/** The family's default reject (what `reject` alone means) prints as `reject`. */
const DEFAULT_REJECT: Record<string, string> = { ip: 'icmp', ip6: 'icmpv6', inet: 'icmpx', bridge: 'icmpx', netdev: 'icmpx' };

function rejectText(body: Json, family: string): string | undefined {
  if (body === null) return 'reject';
  if (!isObject(body)) return undefined;
  const type = body['type'];
  const code = body['expr'];
  if (type === 'tcp reset') return 'reject with tcp reset';
  if (typeof type !== 'string') return undefined;
  if (code === undefined || code === 'port-unreachable') {
    if (DEFAULT_REJECT[family] === type) return 'reject';
    if (code === undefined) return undefined;
  }
  return typeof code === 'string' ? `reject with ${type} ${code}` : undefined;
}

/** `10.0.0.1`, `10.0.0.1-10.0.0.5`, and for IPv6 with ports, bracketed. */
function natAddress(addr: Json, withPort: boolean): string | undefined {
  const bracket = (a: string) => (withPort && a.includes(':') ? `[${a}]` : a);
  if (typeof addr === 'string') return bracket(addr);
  const s = single(addr);
  if (s?.[0] === 'range' && Array.isArray(s[1]) && s[1].length === 2 && typeof s[1][0] === 'string' && typeof s[1][1] === 'string') {
    return `${bracket(s[1][0])}-${bracket(s[1][1])}`;
  }
  return valueText(addr, false);
}

function flagsText(v: Json | undefined): string | undefined {
  if (v === undefined) return '';
  if (typeof v === 'string') return ` ${v}`;
  if (Array.isArray(v) && v.every((f) => typeof f === 'string')) return ` ${v.join(',')}`;
  return undefined;
}

/** `masquerade`, `masquerade to :1024-65535`, `snat to 10.0.0.1-10.0.0.5:500-1000`. */
function natText(kind: string, body: Json): string | undefined {
  if (body === null) return kind;
  if (!isObject(body)) return undefined;
  const known = new Set(['addr', 'port', 'family', 'flags']);
  if (Object.keys(body).some((k) => !known.has(k))) return undefined;
  const port = body['port'] === undefined ? undefined : valueText(body['port'], false);
  if (body['port'] !== undefined && port === undefined) return undefined;
  const flags = flagsText(body['flags']);
  if (flags === undefined) return undefined;
  let to = '';
  if (body['addr'] !== undefined) {
    const addr = natAddress(body['addr'], port !== undefined);
    if (addr === undefined) return undefined;
    to = ` to ${addr}${port === undefined ? '' : `:${port}`}`;
  } else if (port !== undefined) {
    to = ` to :${port}`;
  }
  const family = typeof body['family'] === 'string' ? ` ${body['family']}` : '';
  return `${kind}${family}${to}${flags}`;
}

/** One statement as nft lists it, or undefined when the renderer does not know its shape. */
function statementText(stmt: Json, family: string): string | undefined {
  const s = single(stmt);
  if (s === undefined) return undefined;
  const [kind, body] = s;
  switch (kind) {
    case 'match':
      return matchText(body);
    case 'counter':
      // Anonymous counters are listed as bare `counter` (values normalised away); named ones by name.
      if (isObject(body) || body === null) return 'counter';
      return typeof body === 'string' ? `counter name "${body}"` : undefined;
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return body === null ? kind : undefined;
    case 'jump':
    case 'goto':
      return isObject(body) && typeof body['target'] === 'string' ? `${kind} ${body['target']}` : undefined;
    case 'reject':
      return rejectText(body, family);
    case 'masquerade':
    case 'snat':
    case 'dnat':
    case 'redirect':
      return natText(kind, body);
    default:
      return undefined;
  }
}

/**
 * One rule's text from its `expr` array, as `nft list` prints it (counters bare). A statement
 * the renderer does not know becomes a `json:{…}` token (never dropped).
 *
 * @example
 * ```ts
 * nftJsonRuleText([{ match: { op: '==', left: { meta: { key: 'iif' } }, right: 'virbr0' } }, { counter: { packets: 0, bytes: 0 } }, { accept: null }], 'ip');
 * // 'iif "virbr0" counter accept'
 * ```
 */
export function nftJsonRuleText(expr: readonly Json[], family: string): string {
  return expr.map((stmt) => statementText(stmt, family) ?? opaque(stmt)).join(' ');
}

function shapeError(path: string, message: string): CompileError {
  return new CompileError('firewall.nft-json-shape', path, message);
}

function stringField(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw shapeError(`${path}/${key}`, `nft JSON: ${key} must be a string, got ${JSON.stringify(v ?? null)}`);
  return v;
}

/**
 * Parse the output of `nft -j list ruleset` (or `nft -j list table …`) into the structure
 * {@link parseNftListing} gives for `nft -a list ruleset`: tables keyed `"<family> <name>"`, the
 * chains of each (base chains included, hook and policy left out), and each chain's rules in
 * listed order with their handle and their text in nft's listed form. Sets, maps and other
 * objects are skipped. A statement the renderer does not know is kept in the text as a
 * `json:{…}` token.
 *
 * Throws `CompileError` `firewall.nft-json-syntax` for text that is not JSON, and
 * `firewall.nft-json-shape` (with a JSON-pointer path such as `/nftables/7/rule/expr`) for JSON
 * that is not an nft ruleset.
 *
 * @example
 * ```ts
 * const listing = parseNftJson((await run('nft', ['-j', 'list', 'ruleset'])).stdout);
 * listing.tables['ip libvirt_network']?.chains['guest_cross']?.[0]; // { text: 'iif "virbr0" oif "virbr0" counter accept', handle: 12 }
 * ```
 */
export function parseNftJson(text: string): NftListing {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    throw new CompileError('firewall.nft-json-syntax', '/', `nft JSON output is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(doc['nftables'])) throw shapeError('/', 'nft JSON: expected an object with an "nftables" array');
  const tables: Record<string, NftTableListing> = {};
  const tableOf = (key: string): NftTableListing => (tables[key] ??= { chains: {} });
  const chainOf = (key: string, chain: string): NftListedRule[] => (tableOf(key).chains[chain] ??= []);
  doc['nftables'].forEach((item, i) => {
    const s = single(item);
    if (s === undefined) throw shapeError(`/nftables/${i}`, 'nft JSON: each entry must be an object with one key');
    const [kind, body] = s;
    const path = `/nftables/${i}/${kind}`;
    if (kind !== 'table' && kind !== 'chain' && kind !== 'rule') return;
    if (!isObject(body)) throw shapeError(path, `nft JSON: ${kind} must be an object`);
    const family = stringField(body, 'family', path);
    if (kind === 'table') {
      tableOf(`${family} ${stringField(body, 'name', path)}`);
      return;
    }
    const key = `${family} ${stringField(body, 'table', path)}`;
    if (kind === 'chain') {
      chainOf(key, stringField(body, 'name', path));
      return;
    }
    const expr = body['expr'];
    if (!Array.isArray(expr)) throw shapeError(`${path}/expr`, 'nft JSON: a rule needs an expr array');
    const handle = body['handle'];
    if (handle !== undefined && (typeof handle !== 'number' || !Number.isInteger(handle))) {
      throw shapeError(`${path}/handle`, `nft JSON: handle must be an integer, got ${JSON.stringify(handle)}`);
    }
    const comment = typeof body['comment'] === 'string' ? ` comment "${body['comment']}"` : '';
    const rule: NftListedRule = { text: nftJsonRuleText(expr, family) + comment };
    if (handle !== undefined) rule.handle = handle;
    chainOf(key, stringField(body, 'chain', path)).push(rule);
  });
  return { tables };
}
