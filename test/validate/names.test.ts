import { describe, expect, it } from 'vitest';
import { validateNetwork, formatProblems, hasErrors } from '../../src/validate/index.js';
import { codes, expectProblem, net, rawNet } from './helpers.js';

describe('validateNetwork: the base network', () => {
  it('has no problem at all', () => {
    expect(validateNetwork(net())).toEqual([]);
  });
});

describe('validateNetwork: name, title, uuid', () => {
  it('refuses an empty name', () => {
    const p = expectProblem(net((n) => (n.name = '')), 'name.empty', '/network/name', ['no name']);
    expect(p.message).toContain('<name>');
  });
  it("refuses '/' in the name", () => {
    expectProblem(net((n) => (n.name = 'a/b')), 'name.invalid-char', '/network/name', ["'a/b'", "'/'"]);
  });
  it('refuses newline, carriage return and NUL in the name', () => {
    for (const [bad, shown] of [
      ['a\nb', 'a\\nb'],
      ['a\rb', 'a\\rb'],
      ['a\0b', 'a\\u0000b'],
    ]) {
      expectProblem(net((n) => (n.name = bad!)), 'string.unsafe-char', '/network/name', [shown!]);
    }
  });
  it("refuses '.' and '..'", () => {
    expectProblem(net((n) => (n.name = '..')), 'name.reserved', '/network/name', ["'..'"]);
    expectProblem(net((n) => (n.name = '.')), 'name.reserved', '/network/name', ["'.'"]);
  });
  it('refuses a name too long for a file name, counting UTF-8 bytes', () => {
    expect(codes(net((n) => (n.name = 'x'.repeat(244))))).toEqual([]);
    expectProblem(net((n) => (n.name = 'x'.repeat(245))), 'name.too-long', '/network/name', ['245 bytes', 'xxxxxxxx']);
    expectProblem(net((n) => (n.name = 'é'.repeat(123))), 'name.too-long', '/network/name', ['246 bytes']);
  });
  it('accepts quotes and spaces in a name, as libvirt does', () => {
    expect(codes(net((n) => (n.name = `it's "my" net`)))).toEqual([]);
  });
  it('refuses a newline in the title but not in the description', () => {
    expectProblem(net((n) => (n.title = 'two\nlines')), 'title.newline', '/network/title', ['two\\nlines']);
    expect(codes(net((n) => (n.description = 'two\nlines')))).toEqual([]);
  });
  it('refuses a uuid that is not canonical (built in code)', () => {
    expectProblem(rawNet((n) => (n['uuid'] = 'ABC')), 'uuid.invalid', '/network/uuid', ["'ABC'"]);
  });
});

describe('formatProblems', () => {
  it('renders FILE: PATH: message lines, marking warnings', () => {
    const problems = validateNetwork(
      net((n) => {
        n.name = 'a/b';
        n.ips![0]!.dhcp!.hosts!.push({ mac: '00:16:3e:77:e2:ee', name: 'b', ip: '192.168.122.10' });
      }),
    );
    expect(formatProblems(problems, 'net.xml')).toBe(
      "net.xml: /network/name: invalid char in name 'a/b': '/' is not allowed in network 'a/b'\n" +
        "net.xml: /network/ip[1]/dhcp/host[2]/@ip: warning: IP address '192.168.122.10' of static host 2 is also used by static host 1 in network 'a/b'\n",
    );
    expect(formatProblems(problems.slice(0, 1))).toBe("/network/name: invalid char in name 'a/b': '/' is not allowed in network 'a/b'\n");
    expect(hasErrors(problems)).toBe(true);
    expect(hasErrors(problems.slice(1))).toBe(false);
  });
});
