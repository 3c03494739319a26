/**
 * Plans in words: one line per operation, close to the command a person would type for it.
 *
 * @module
 */
import { nftChainName } from './firewall/rules.js';
import type { FirewallBackendName, Operation, Plan } from './plan.js';
import type { FirewallRules } from './firewall/rules.js';

/** With STP on, the kernel keeps the forward delay within 2..30 s (200..3000 cs). */
const STP_MIN_DELAY_CS = 200;
const STP_MAX_DELAY_CS = 3000;

/** An argument as a shell would need it: bare when harmless, else single-quoted. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The rules a backend actually installs: nftables has no host INP/OUT rules and no CHECKSUM. */
function installedRuleCount(rules: FirewallRules, backend: FirewallBackendName): string {
  if (backend === 'iptables') return `${rules.rules.length} rules`;
  const count = rules.rules.filter((r) => nftChainName(r.table, r.chain) !== undefined).length;
  return rules.tcChecksum ? `${count} rules + tc checksum filter` : `${count} rules`;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * One readable line for an operation, in the style of the command that performs it.
 *
 * @example
 * ```ts
 * describeOperation({ kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true });
 * // 'sysctl net.ipv4.ip_forward=1 (kept on teardown)'
 * ```
 */
export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case 'link.create-bridge': {
      let line = `ip link add ${op.name}`;
      if (op.mac !== undefined) line += ` address ${op.mac}`;
      if (op.mtu !== undefined) line += ` mtu ${op.mtu}`;
      line += ` type bridge stp_state ${op.stp ? 1 : 0} forward_delay ${op.forwardDelay}`;
      if (op.stp && op.forwardDelay < STP_MIN_DELAY_CS) line += ` (kernel with STP: ${STP_MIN_DELAY_CS})`;
      if (op.stp && op.forwardDelay > STP_MAX_DELAY_CS) line += ` (kernel with STP: ${STP_MAX_DELAY_CS})`;
      return line;
    }
    case 'link.delete':
      return `ip link delete ${op.name}`;
    case 'link.set-bridge-option':
      return `ip link set dev ${op.dev} type bridge ${op.option} ${op.value}`;
    case 'link.set-state':
      return `ip link set dev ${op.dev} ${op.up ? 'up' : 'down'}`;
    case 'address.add':
      return `ip address add ${op.address}/${op.prefix}${op.broadcast !== undefined ? ` broadcast ${op.broadcast}` : ''} dev ${op.dev}`;
    case 'address.delete':
      return `ip address delete ${op.address}/${op.prefix} dev ${op.dev}`;
    case 'route.add':
    case 'route.delete': {
      const verb = op.kind === 'route.add' ? 'add' : 'delete';
      const six = op.family === 'ipv6' ? ' -6' : '';
      const metric = op.metric !== undefined ? ` metric ${op.metric}` : '';
      const ignored = op.kind === 'route.add' && op.ignoreErrors ? ' (errors ignored)' : '';
      return `ip${six} route ${verb} ${op.destination}/${op.prefix} via ${op.gateway} dev ${op.dev}${metric}${ignored}`;
    }
    case 'sysctl.set':
      return `sysctl ${op.key}=${op.value}${op.keepOnTeardown ? ' (kept on teardown)' : ''}`;
    case 'firewall.add':
      return `firewall add (${op.backend}, ${installedRuleCount(op.rules, op.backend)}) for ${op.bridge}`;
    case 'firewall.remove':
      return `firewall remove (${op.backend}, ${installedRuleCount(op.rules, op.backend)}) for ${op.bridge}`;
    case 'dir.create':
      return `mkdir -p -m ${octal(op.mode)} ${shellWord(op.path)}`;
    case 'dir.remove':
      return `rmdir ${shellWord(op.path)} (if empty)`;
    case 'file.write':
      return `write ${shellWord(op.path)} (${octal(op.mode)}, ${Buffer.byteLength(op.content, 'utf8')} bytes)`;
    case 'file.remove':
      return `remove ${shellWord(op.path)}`;
    case 'dnsmasq.start': {
      const env = Object.entries(op.env)
        .map(([k, v]) => `${k}=${shellWord(v)}`)
        .join(' ');
      return `start ${[op.binary, ...op.args].map(shellWord).join(' ')}${env ? ` (env ${env})` : ''}, pidfile ${shellWord(op.pidfile)}`;
    }
    case 'dnsmasq.stop':
      return `stop dnsmasq of network ${shellWord(op.network)} (pidfile ${shellWord(op.pidfile)})`;
  }
}

/**
 * A plan as text: a header, one numbered line per operation, and what the plan leaves out.
 *
 * @example
 * ```ts
 * process.stdout.write(describePlan(compileNetwork(net)));
 * // network 'default' (nat, bridge virbr0, firewall nftables): 16 operations
 * //    1. ip link add virbr0 address 52:54:00:… type bridge stp_state 1 forward_delay 0 (kernel with STP: 200)
 * //   …
 * ```
 */
export function describePlan(plan: Plan): string {
  const parts = [plan.forwardMode === 'none' ? 'isolated' : plan.forwardMode];
  if (plan.bridge !== undefined) parts.push(`bridge ${plan.bridge}`);
  if (plan.operations.some((op) => op.kind === 'firewall.add')) parts.push(`firewall ${plan.firewallBackend}`);
  const n = plan.operations.length;
  const lines = [`network '${plan.network}' (${parts.join(', ')}): ${n} operation${n === 1 ? '' : 's'}`];
  if (n === 0) {
    lines.push(`  nothing to do on the host: libvirt creates nothing when a '${plan.forwardMode}' network starts`);
  }
  const width = String(n).length;
  plan.operations.forEach((op, i) => lines.push(`  ${String(i + 1).padStart(width)}. ${describeOperation(op)}`));
  for (const step of plan.omitted ?? []) lines.push(`  left out: ${step.feature} (${step.path}): ${step.reason}`);
  return `${lines.join('\n')}\n`;
}
