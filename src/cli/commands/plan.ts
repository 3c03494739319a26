/** `virtnet plan FILE [--json] [--firewall iptables|nftables]`: the host operations that start the network. */
import { compileNetwork, describePlan } from '../../compile/index.js';
import { parseArgs } from '../args.js';
import type { Io } from '../io.js';
import { loadValidNetwork } from '../load.js';
import { FIREWALL_BACKENDS, type FirewallChoice } from './shared.js';

export const planUsage = 'virtnet plan [--json] [--firewall iptables|nftables] FILE';

export function planCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, { booleans: ['json'], values: { firewall: FIREWALL_BACKENDS }, positionals: [1, 1] });
  const { network } = loadValidNetwork(args.positionals[0]!, io);
  const firewallBackend = args.values.get('firewall') as FirewallChoice | undefined;
  const plan = compileNetwork(network, firewallBackend ? { firewallBackend } : {});
  io.out(args.flags.has('json') ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan));
  return 0;
}
