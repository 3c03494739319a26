/**
 * `virtnet firewall FILE --backend iptables|nftables`: libvirt's firewall commands for the network;
 * `virtnet firewall --base --backend …`: the global chain set-up that precedes them.
 */
import { compileNetwork, firewallRules, renderLibvirtBase, renderLibvirtCommands } from '../../compile/index.js';
import { parseArgs, UsageError } from '../args.js';
import type { Io } from '../io.js';
import { loadValidNetwork } from '../load.js';
import { FIREWALL_BACKENDS, type FirewallChoice } from './shared.js';

export const firewallUsage = 'virtnet firewall --backend iptables|nftables (FILE | --base)';

export function firewallCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, { booleans: ['base'], values: { backend: FIREWALL_BACKENDS }, positionals: [0, 1] });
  const backend = args.values.get('backend') as FirewallChoice | undefined;
  if (!backend) throw new UsageError('--backend iptables|nftables is required');
  if (args.flags.has('base')) {
    if (args.positionals.length > 0) throw new UsageError('--base takes no FILE');
    io.out(renderLibvirtBase(backend));
    return 0;
  }
  if (args.positionals.length === 0) throw new UsageError('missing FILE argument (or --base)');
  const { network } = loadValidNetwork(args.positionals[0]!, io);
  const plan = compileNetwork(network, { firewallBackend: backend });
  const bridge = plan.bridge ?? network.bridge?.name ?? '';
  io.out(renderLibvirtCommands(firewallRules(network, { bridge }), backend));
  return 0;
}
