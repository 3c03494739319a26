import { describe, expect, it } from 'vitest';
import { defineNetwork, NetworkModelError } from '../../src/model/index.js';

describe('defineNetwork', () => {
  it('accepts a plain literal and keeps it', () => {
    const net = defineNetwork({ name: 'n', ips: [{ address: '10.0.0.1', prefix: 24 }] });
    expect(net.ips?.[0]?.address).toBe('10.0.0.1');
  });
  it('names the path of a bad value', () => {
    expect(() =>
      defineNetwork({ name: 'n', ips: [{ address: '10.0.0.1', dhcp: { hosts: [{ ip: '10.0.0.2', mac: 'zz' }] } }] }),
    ).toThrow(/ips\[0\]\.dhcp\.hosts\[0\]\.mac: expected MacAddress, got "zz"/);
    try {
      defineNetwork({ name: 'n', ips: [{ address: '300.0.0.1' }] });
    } catch (e) {
      expect(e).toBeInstanceOf(NetworkModelError);
      expect((e as NetworkModelError).problems[0]?.path).toBe('ips[0].address');
    }
  });
});
