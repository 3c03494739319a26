/** The C-compatible scalar readers: strtoull numbers, MAC and UUID syntax. */
import { describe, expect, it } from 'vitest';
import {
  macFirstByte,
  parseCUIntWrapping,
  parseCUnsigned,
  parseMac,
  parseUuid,
} from '../../src/xml/parse/scalars.js';

// IP addresses: test/model/inet.test.ts (one implementation, in src/model/inet.ts).

describe('numbers like strtoull', () => {
  it('accepts leading whitespace and +, refuses - and trailing text', () => {
    expect(parseCUnsigned(' \t+42', 10)).toEqual({ ok: true, value: 42 });
    expect(parseCUnsigned('-1', 10)).toEqual({ ok: false, tooLarge: false });
    expect(parseCUnsigned('42 ', 10)).toEqual({ ok: false, tooLarge: false });
    expect(parseCUnsigned('', 10)).toEqual({ ok: false, tooLarge: false });
    expect(parseCUnsigned('0x10', 10)).toEqual({ ok: false, tooLarge: false });
  });

  it('reads base 0 (hex and octal)', () => {
    expect(parseCUnsigned('0x1F', 0)).toEqual({ ok: true, value: 31 });
    expect(parseCUnsigned('017', 0)).toEqual({ ok: true, value: 15 });
    expect(parseCUnsigned('0', 0)).toEqual({ ok: true, value: 0 });
    expect(parseCUnsigned('09', 0)).toEqual({ ok: false, tooLarge: false });
  });

  it('refuses values beyond the C type or beyond exact JavaScript integers', () => {
    expect(parseCUnsigned('4294967296', 10, 0xffffffff)).toEqual({ ok: false, tooLarge: true });
    expect(parseCUnsigned('9007199254740992', 10)).toEqual({ ok: false, tooLarge: true });
    expect(parseCUnsigned('9007199254740991', 10)).toEqual({ ok: true, value: 9007199254740991 });
  });

  it('wraps negative values for <mtu size> like strtoul', () => {
    expect(parseCUIntWrapping('-1')).toBe(4294967295);
    expect(parseCUIntWrapping(' -2')).toBe(4294967294);
    expect(parseCUIntWrapping('-0')).toBe(0);
    expect(parseCUIntWrapping('-+1')).toBeUndefined();
    expect(parseCUIntWrapping('4294967296')).toBeUndefined();
    expect(parseCUIntWrapping('1500')).toBe(1500);
  });
});

describe('MAC addresses like virMacAddrParse', () => {
  it('accepts one or two hex digits per group and a trailing control or space', () => {
    expect(Array.from(parseMac('52:54:0:AB:c:1')!)).toEqual([0x52, 0x54, 0, 0xab, 0x0c, 0x01]);
    expect(parseMac('52:54:00:00:00:01 ')).toBeDefined();
    expect(macFirstByte('03:00:00:00:00:01')).toBe(3);
    expect(macFirstByte('52:54:00:00:00:01\n')).toBe(0x52);
  });

  it.each(['52:54:00:00:00', '52:54:00:00:00:01:02', '525:4:00:00:00:01', '52-54-00-00-00-01', '52:54:00:00:00:0g', ':52:54:00:00:00'])(
    'refuses %j',
    (input) => {
      expect(parseMac(input)).toBeUndefined();
      expect(macFirstByte(input)).toBe(-1);
    },
  );
});

describe('UUIDs like virUUIDParse', () => {
  it('accepts spaces and dashes between hex pairs and surrounding whitespace', () => {
    expect(parseUuid(' 81FF0D90C91E674264DA4A736EDB9A9B\n')).toBe('81ff0d90-c91e-6742-64da-4a736edb9a9b');
    expect(parseUuid('81-ff 0d90-c91e-6742-64da-4a73-6edb-9a9b')).toBe('81ff0d90-c91e-6742-64da-4a736edb9a9b');
  });

  it.each(['81ff0d90-c91e-6742-64da-4a736edb9a9', '81ff0d90-c91e-6742-64da-4a736edb9a9bb', '8-1ff0d90c91e674264da4a736edb9a9b', 'zz'])(
    'refuses %j',
    (input) => expect(parseUuid(input)).toBeUndefined(),
  );
});
