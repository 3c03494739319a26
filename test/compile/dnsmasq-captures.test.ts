/**
 * dnsmasq files and command line against what a real libvirtd 9.0 wrote when it started two
 * networks (../shared/reference/libvirtd-9.0-captures): conf, hostsfile and addnhosts (the only
 * addnhosts sample there is), as libvirt writes them at run time — both hosts files always, empty
 * when there is nothing to list. Skips visibly when the captures are absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsmasqCommand, dnsmasqConfig, dnsmasqPaths } from '../../src/compile/dnsmasq/index.js';
import { parseNetwork } from '../../src/xml/parse.js';

const captures = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'libvirtd-9.0-captures');
const have = existsSync(captures);
if (!have) console.warn(`[dnsmasq-captures] SKIPPED: ${captures} not found`);

describe.skipIf(!have)('dnsmasq output equals libvirtd 9.0 captures', () => {
  for (const [dir, name] of [
    ['minimal', 'n2'],
    ['nat-dhcp-dns', 'probe-nat'],
  ] as const) {
    it(dir, () => {
      const read = (file: string): string => readFileSync(join(captures, dir, file), 'utf8');
      const network = parseNetwork(read('dumpxml-live.xml'));
      const bridge = network.bridge!.name!;
      const paths = dnsmasqPaths(network, { bridge });
      expect(paths.pidfile).toBe(`/run/libvirt/network/${name}.pid`);
      const files = dnsmasqConfig(network, { bridge, pidfile: paths.pidfile });
      expect(files.conf).toBe(read(`dnsmasq-files/${name}.conf`));
      expect(files.hostsfile ?? '').toBe(read(`dnsmasq-files/${name}.hostsfile`));
      expect(files.addnhosts ?? '').toBe(read(`dnsmasq-files/${name}.addnhosts`));
      const command = dnsmasqCommand(network, {
        bridge,
        binary: '/usr/sbin/dnsmasq',
        leaseHelper: '/usr/lib/libvirt/libvirt_leaseshelper',
      });
      expect([command.binary, ...command.args].join(' ')).toBe(read('dnsmasq-cmdline.txt').trim());
      expect(command.env).toEqual({ VIR_BRIDGE_NAME: bridge });
    });
  }
});
