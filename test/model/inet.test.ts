/**
 * The one address implementation (src/model/inet.ts): glibc's getaddrinfo(AI_NUMERICHOST),
 * inet_aton, inet_pton and inet_ntop behaviour, checked on fixed cases and, where python3 is
 * present, against glibc itself (python's socket module calls it).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bigIntToBytes,
  bytesToBigInt,
  canonicalIp,
  formatBytes,
  formatIpv6,
  ipv4Netmask,
  ipv4Value,
  isIpv4Text,
  isIpv6Text,
  maskHostBits,
  netmaskBits,
  parseInetAton,
  parseIp,
  parseIpv6Bytes,
  samePrefix,
} from '../../src/model/inet.js';

describe('IPv4 like getaddrinfo (inet_aton forms)', () => {
  it.each([
    ['192.168.122.1', '192.168.122.1'],
    ['10.1', '10.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['167772161', '10.0.0.1'],
    ['0x0a.0.0.1', '10.0.0.1'],
    ['012.0.0.1', '10.0.0.1'],
    ['0XA.0X0.0.0X1', '10.0.0.1'],
    ['0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
  ])('%s → %s', (input, text) => {
    expect(parseIp(input)).toEqual(expect.objectContaining({ v6: false, text }));
    expect(canonicalIp(input)).toBe(text);
    expect(isIpv4Text(input)).toBe(true);
    expect(isIpv6Text(input)).toBe(false);
  });

  it.each(['256.0.0.1', '1.2.3.4.5', '1..2', '.1.2.3', '1.2.3.', '08.0.0.1', '1.2.3.4 ', ' 1.2.3.4', '+1.2.3.4', '1.2.3.-4', '10.256.1', '4294967296', 'localhost', '', '0x', '1.0x.2.3'])(
    'refuses %j',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
      expect(canonicalIp(input)).toBeUndefined();
      expect(ipv4Value(input)).toBe(-1);
      expect(isIpv4Text(input)).toBe(false);
    },
  );

  it('gives the 32-bit value of inet_aton', () => {
    expect(parseInetAton('1.2.65535')).toBe(0x0102ffff);
    expect(parseInetAton('1.16777215')).toBe(0x01ffffff);
    expect(parseInetAton('1.16777216')).toBe(-1);
    expect(ipv4Value('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4Value('10.1')).toBe(0x0a000001);
  });
});

describe('IPv6 like inet_pton / inet_ntop', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['fe80::', 'fe80::'],
    ['fe80:0000:0000:0000:0204:61ff:fe9d:f156', 'fe80::204:61ff:fe9d:f156'],
    ['2001:db8:1:0:1:1:1:1', '2001:db8:1:0:1:1:1:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::192.0.2.1'],
    // ipaddr.js turned this into ::ffff:1.2.3.4; glibc keeps the IPv4-compatible form.
    ['::1.2.3.4', '::1.2.3.4'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['::ffff:a01:203', '::ffff:10.1.2.3'],
    ['::a01:203', '::10.1.2.3'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['FC00:DB8::A', 'fc00:db8::a'],
  ])('%s → %s', (input, text) => {
    expect(parseIp(input)).toEqual(expect.objectContaining({ v6: true, text }));
    expect(isIpv6Text(input)).toBe(true);
  });

  it.each([':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1::', '1:', '::ffff:1.2.3', '::ffff:01.2.3.4', '::00.1.2.3', 'fe80::1%eth0', 'g::1', '1:2:3:4:5:6:7::8:9', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4:1'])(
    'refuses %j',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
      expect(isIpv6Text(input)).toBe(false);
    },
  );

  it('returns the 16 bytes', () => {
    expect(Array.from(parseIp('2001:db8::ff')!.bytes)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    expect(parseIpv6Bytes('::1')![15]).toBe(1);
  });
});

describe('bytes, bigints, netmasks', () => {
  it('formats 4 or 16 bytes and refuses other lengths', () => {
    expect(formatBytes([10, 0, 0, 1])).toBe('10.0.0.1');
    expect(formatBytes(new Uint8Array(16))).toBe('::');
    expect(() => formatBytes([1, 2, 3])).toThrow(RangeError);
  });

  it('converts bytes to and from bigints', () => {
    expect(bytesToBigInt([255, 255, 255, 255])).toBe(0xffffffffn);
    expect(bytesToBigInt(parseIp('2001:db8::1')!.bytes)).toBe(0x20010db8000000000000000000000001n);
    expect(formatBytes(bigIntToBytes(0x20010db8000000000000000000000001n, 16))).toBe('2001:db8::1');
    expect(formatBytes(bigIntToBytes(0x0a000001n, 4))).toBe('10.0.0.1');
  });

  it('counts contiguous netmask bits, -1 otherwise', () => {
    expect(netmaskBits(parseIp('255.255.255.0')!.bytes)).toBe(24);
    expect(netmaskBits(parseIp('255.255.254.0')!.bytes)).toBe(23);
    expect(netmaskBits(parseIp('0.0.0.0')!.bytes)).toBe(0);
    expect(netmaskBits(parseIp('255.255.255.255')!.bytes)).toBe(32);
    expect(netmaskBits(parseIp('255.0.255.0')!.bytes)).toBe(-1);
    expect(netmaskBits(parseIp('255.255.253.0')!.bytes)).toBe(-1);
    expect(netmaskBits(parseIp('ffff:ffff:ffff:ffff::')!.bytes)).toBe(64);
  });

  it('builds netmasks and masks host bits', () => {
    expect(ipv4Netmask(0)).toBe('0.0.0.0');
    expect(ipv4Netmask(20)).toBe('255.255.240.0');
    expect(ipv4Netmask(32)).toBe('255.255.255.255');
    const a = parseIp('192.168.122.77')!.bytes;
    expect(formatBytes(maskHostBits(a, 20, 0))).toBe('192.168.112.0');
    expect(formatBytes(maskHostBits(a, 20, 255))).toBe('192.168.127.255');
    expect(samePrefix(a, parseIp('192.168.127.1')!.bytes, 20)).toBe(true);
    expect(samePrefix(a, parseIp('192.168.128.1')!.bytes, 20)).toBe(false);
  });
});

// glibc itself is the oracle: python's socket.getaddrinfo / inet_pton / inet_ntop call it.
const python = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' }).stdout?.trim() === '1';
if (!python) console.warn('[model/inet] SKIPPED: the glibc oracle tests need python3 (socket.inet_pton/getaddrinfo)');

function glibc(script: string, inputs: string[]): string[] {
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe.skipIf(!python)('against glibc', () => {
  it('parses exactly what getaddrinfo(AI_NUMERICHOST) parses, to the same address (4000 strings)', () => {
    const octet = fc.integer({ min: 0, max: 300 }).chain((n) => fc.constantFrom(String(n), `0${n.toString(8)}`, `0x${n.toString(16)}`, `0${n}`));
    const shortV4 = fc.array(octet, { minLength: 1, maxLength: 5 }).map((p) => p.join('.'));
    const mangled = fc
      .tuple(fc.oneof(fc.ipV4(), fc.ipV6(), shortV4), fc.nat(50), fc.constantFrom('', ':', '.', '::', '0', 'x', '00', 'g', ' ', '\n', '1.2.3.4'))
      .map(([a, at, insert]) => a.slice(0, at % (a.length + 1)) + insert + a.slice(at % (a.length + 1)));
    // A zone index (`%eth0`) is accepted by getaddrinfo but has no place in the model.
    const inputs = fc.sample(fc.oneof(fc.ipV4(), fc.ipV6(), shortV4, mangled), { seed: 1130, numRuns: 4000 }).filter((s) => !s.includes('%') && !s.includes('\0'));
    const script = [
      'import socket,sys,json',
      'out=[]',
      'for a in json.load(sys.stdin):',
      ' try: out.append(socket.getaddrinfo(a.encode(),None,0,socket.SOCK_STREAM,0,socket.AI_NUMERICHOST)[0][4][0])',
      ' except (OSError, UnicodeError): out.append(None)',
      'print(json.dumps(out))',
    ].join('\n');
    const expected = glibc(script, inputs);
    inputs.forEach((input, i) => {
      expect(parseIp(input)?.text ?? null, JSON.stringify(input)).toBe(expected[i]);
    });
  });

  it('formats IPv6 exactly as inet_ntop, bytes as inet_pton (3000 addresses)', () => {
    const embedded = fc.tuple(fc.ipV4(), fc.constantFrom('::', '::ffff:', '1::', '::1:', '64:ff9b::')).map(([v4, head]) => head + v4);
    const zeros = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xab), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
    const inputs = fc.sample(fc.oneof(fc.ipV6(), embedded, zeros), { seed: 42, numRuns: 3000 });
    const script = [
      'import socket,sys,json',
      'out=[]',
      'for a in json.load(sys.stdin):',
      ' b=socket.inet_pton(socket.AF_INET6,a)',
      ' out.append(socket.inet_ntop(socket.AF_INET6,b)+" "+b.hex())',
      'print(json.dumps(out))',
    ].join('\n');
    const expected = glibc(script, inputs);
    inputs.forEach((input, i) => {
      const [text, hex] = expected[i]!.split(' ');
      const bytes = parseIpv6Bytes(input)!;
      expect(Buffer.from(bytes).toString('hex'), input).toBe(hex);
      expect(formatIpv6(bytes), input).toBe(text);
    });
  });
});
