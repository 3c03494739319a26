import { describe, expect, it } from 'vitest';
import { codes, expectProblem, net, rawNet } from './helpers.js';

describe('validateNetwork: bridge', () => {
  it('refuses a bridge name longer than 15 bytes (runtime)', () => {
    expectProblem(net((n) => (n.bridge!.name = 'virbr-0123456789')), 'bridge.name.too-long', '/network/bridge/@name', ["'virbr-0123456789'", '15 bytes']);
    expect(codes(net((n) => (n.bridge!.name = 'virbr-012345678')))).toEqual([]);
    expect(codes(net((n) => (n.bridge!.name = 'virbr-0123456789')), { checkRuntime: false })).toEqual([]);
  });
  it('counts the digits a %d template is filled with', () => {
    expect(codes(net((n) => (n.bridge!.name = 'mybridge-brx%d')))).toEqual([]);
    expectProblem(net((n) => (n.bridge!.name = 'mybridge-brxyz%d')), 'bridge.name.too-long', '/network/bridge/@name', ["'mybridge-brxyz%d'", '%d']);
  });
  it('refuses a % that is not a single %d', () => {
    expectProblem(net((n) => (n.bridge!.name = 'br%x')), 'bridge.name.template', '/network/bridge/@name', ["'br%x'"]);
    expectProblem(net((n) => (n.bridge!.name = 'br%d%d')), 'bridge.name.template', '/network/bridge/@name', ["'br%d%d'"]);
  });
  it('refuses characters the kernel refuses in an interface name', () => {
    for (const bad of ['br:0', 'br 0', 'br/0', '..']) {
      expectProblem(net((n) => (n.bridge!.name = bad)), 'bridge.name.invalid-char', '/network/bridge/@name', [`'${bad}'`]);
    }
  });
  it('refuses a newline in the bridge name even without runtime checks', () => {
    expectProblem(net((n) => (n.bridge!.name = 'br\n0')), 'string.unsafe-char', '/network/bridge/@name', ['br\\n0'], 'error', { checkRuntime: false });
  });
  it('refuses a zone outside [a-zA-Z0-9_-]', () => {
    expect(codes(net((n) => (n.bridge!.zone = 'libvirt_routed-1')))).toEqual([]);
    expectProblem(net((n) => (n.bridge!.zone = 'a zone')), 'bridge.zone.invalid-char', '/network/bridge/@zone', ["'a zone'"]);
  });
  it('allows stp/delay/zone only in modes none/nat/route/open', () => {
    const bridged = (edit: (b: Record<string, unknown>) => void) =>
      net((n) => {
        n.forward = { mode: 'bridge' };
        n.ips = [];
        delete n.mac;
        n.bridge = { name: 'br0' };
        edit(n.bridge as Record<string, unknown>);
      });
    expect(codes(bridged(() => {}))).toEqual([]);
    expectProblem(bridged((b) => (b['stp'] = false)), 'bridge.stp-delay.not-allowed', '/network/bridge', ['stp=false', 'not in bridge']);
    expectProblem(bridged((b) => (b['delay'] = 5)), 'bridge.stp-delay.not-allowed', '/network/bridge', ['delay=5']);
    expectProblem(bridged((b) => (b['zone'] = 'z')), 'bridge.stp-delay.not-allowed', '/network/bridge', ['zone=z']);
    expect(codes(bridged((b) => (b['macTableManager'] = 'libvirt')))).toEqual([]);
    for (const mode of ['none', 'route', 'open'] as const) {
      expect(codes(net((n) => {
        if (mode === 'none') delete n.forward;
        else n.forward = { mode };
        n.bridge = { name: 'virbr0', stp: false, delay: 3, zone: 'trusted' };
      }))).toEqual([]);
    }
  });
  it('refuses bridge name, zone and macTableManager in private/vepa/passthrough/hostdev', () => {
    const direct = net((n) => {
      n.forward = { mode: 'vepa', interfaces: [{ dev: 'eth0' }] };
      n.ips = [];
      delete n.mac;
      n.bridge = { name: 'br0', zone: 'z', macTableManager: 'kernel' };
    });
    expectProblem(direct, 'bridge.name.not-allowed', '/network/bridge/@name', ["'br0'", 'vepa mode']);
    expectProblem(direct, 'bridge.zone.not-allowed', '/network/bridge/@zone', ["'z'", 'vepa mode']);
    expectProblem(direct, 'bridge.mac-table-manager.not-allowed', '/network/bridge/@macTableManager', ["'kernel'", 'vepa mode']);
  });
  it('refuses a bridge name together with a forward dev in bridge mode', () => {
    expectProblem(
      net((n) => {
        n.forward = { mode: 'bridge', interfaces: [{ dev: 'eth0' }] };
        n.ips = [];
        delete n.mac;
        n.bridge = { name: 'br0' };
      }),
      'bridge.name-with-forward-dev',
      '/network/bridge/@name',
      ["'br0'", "mode='bridge'"],
    );
  });
});

describe('validateNetwork: mac, mtu, domain', () => {
  it('refuses a multicast bridge MAC', () => {
    expectProblem(net((n) => (n.mac = '01:54:00:e2:6b:b9')), 'mac.multicast', '/network/mac/@address', ["'01:54:00:e2:6b:b9'"]);
  });
  it('refuses a malformed bridge MAC built in code', () => {
    expectProblem(rawNet((n) => (n['mac'] = '52:54:00:e2:6b')), 'mac.invalid', '/network/mac/@address', ["'52:54:00:e2:6b'"]);
  });
  it('refuses a bridge MAC in a mode without a libvirt bridge', () => {
    expectProblem(
      net((n) => {
        n.forward = { mode: 'bridge' };
        n.ips = [];
        n.bridge = { name: 'br0' };
      }),
      'mac.not-allowed',
      '/network/mac',
      ["'52:54:00:e2:6b:b9'", "mode='bridge'"],
    );
  });
  it('allows mtu only in modes none/nat/route/open, and within 68..65535 (runtime)', () => {
    expect(codes(net((n) => (n.mtu = 9000)))).toEqual([]);
    expectProblem(net((n) => (n.mtu = 67)), 'mtu.out-of-range', '/network/mtu/@size', ['67', '68..65535']);
    expectProblem(net((n) => (n.mtu = 65536)), 'mtu.out-of-range', '/network/mtu/@size', ['65536']);
    expect(codes(net((n) => (n.mtu = 65536)), { checkRuntime: false })).toEqual([]);
    expectProblem(
      net((n) => {
        n.forward = { mode: 'passthrough', interfaces: [{ dev: 'eth0' }] };
        n.ips = [];
        delete n.mac;
        delete n.bridge;
        n.mtu = 1500;
      }),
      'mtu.not-allowed',
      '/network/mtu/@size',
      ['1500', 'not in passthrough'],
    );
  });
  it('needs localOnly for register', () => {
    expectProblem(net((n) => (n.domain = { name: 'example.com', register: true })), 'domain.register-needs-local-only', '/network/domain/@register', ["'example.com'", 'localOnly=yes']);
    expect(codes(net((n) => (n.domain = { name: 'example.com', register: true, localOnly: true })))).toEqual([]);
  });
  it('refuses <domain> where libvirt does not run dnsmasq', () => {
    expectProblem(
      net((n) => {
        n.forward = { mode: 'bridge' };
        n.ips = [];
        delete n.mac;
        n.bridge = { name: 'br0' };
        n.domain = { name: 'example.com' };
      }),
      'domain.not-allowed',
      '/network/domain',
      ["'example.com'", "mode='bridge'"],
    );
  });
  it('refuses a newline in the domain name', () => {
    expectProblem(net((n) => (n.domain = { name: 'a\nserver=1.2.3.4' })), 'string.unsafe-char', '/network/domain/@name', ['a\\nserver=1.2.3.4']);
  });
});
