/**
 * `/proc/sys` of the in-memory host: only keys that exist can be written (a link's IPv6 keys exist
 * while the link does), values are integers, the switches take 0 or 1, and writing
 * `net.ipv6.conf.all.forwarding` reaches every link as in the kernel.
 *
 * @module
 */
import type { Operation, SetSysctlOp } from '../../compile/plan.js';
import { fail, linkSysctlKey, type MockHostData } from './state.js';

/** Settings the kernel reads as a 0/1 switch (proc_dointvec_minmax 0..1). */
const SWITCHES = new Set(['ip_forward', 'forwarding', 'disable_ipv6', 'autoconf', 'keep_addr_on_down']);

/** The `/proc/sys` path of a dotted key, for messages (`/` in a key part stands for a `.`). */
function procPath(key: string): string {
  return `/proc/sys/${key.split('.').map((part) => part.replaceAll('/', '.')).join('/')}`;
}

/**
 * `sysctl.set`. The undo writes back the value that was there (and, for
 * `net.ipv6.conf.all.forwarding`, each link's and the default's own previous value).
 */
export function setSysctl(data: MockHostData, op: SetSysctlOp): Operation[] {
  const previous = data.sysctls.get(op.key);
  if (previous === undefined) fail('ENOENT', `sysctl: cannot stat ${procPath(op.key)}: No such file or directory`, op);
  const text = op.value.trim();
  if (!/^-?\d+$/.test(text)) fail('EINVAL', `sysctl: setting key "${op.key}": Invalid argument (value '${op.value}' is not an integer)`, op);
  const value = String(Number.parseInt(text, 10));
  const setting = op.key.slice(op.key.lastIndexOf('.') + 1);
  if (SWITCHES.has(setting) && value !== '0' && value !== '1') {
    fail('EINVAL', `sysctl: setting key "${op.key}": Invalid argument (0 or 1 expected, got ${op.value})`, op);
  }

  const undo: Operation[] = [];
  const write = (key: string, v: string) => {
    const before = data.sysctls.get(key);
    if (before === undefined || before === v) return;
    data.sysctls.set(key, v);
    undo.push({ kind: 'sysctl.set', key, value: before, keepOnTeardown: false });
  };
  write(op.key, value);
  if (op.key === 'net.ipv6.conf.all.forwarding') {
    // addrconf_forward_change(): the new value goes to the default and to every device.
    write('net.ipv6.conf.default.forwarding', value);
    for (const link of data.links.values()) write(linkSysctlKey(link.name, 'forwarding'), value);
  }
  const linkDisabled = /^net\.ipv6\.conf\.(.+)\.disable_ipv6$/.exec(op.key);
  if (linkDisabled && value === '1' && previous === '0') {
    // Disabling IPv6 on a link drops its IPv6 addresses and routes (addrconf_ifdown).
    const dev = linkDisabled[1]!.replaceAll('/', '.');
    for (const a of data.addresses) {
      if (a.dev === dev && a.family === 'ipv6') undo.push({ kind: 'address.add', dev, family: 'ipv6', address: a.address, prefix: a.prefix });
    }
    for (const r of data.routes) {
      if (r.dev === dev && r.family === 'ipv6') {
        undo.push({ kind: 'route.add', dev, family: 'ipv6', destination: r.destination, prefix: r.prefix, gateway: r.gateway, metric: r.metric, ignoreErrors: false });
      }
    }
    data.addresses = data.addresses.filter((a) => !(a.dev === dev && a.family === 'ipv6'));
    data.routes = data.routes.filter((r) => !(r.dev === dev && r.family === 'ipv6'));
  }
  return undo;
}
