/** `virtnet dnsmasq FILE [--hostsfile|--addnhosts]`: the dnsmasq files libvirt writes for the network. */
import { compileNetwork, dnsmasqConfig } from '../../compile/index.js';
import { parseArgs, UsageError } from '../args.js';
import type { Io } from '../io.js';
import { loadValidNetwork } from '../load.js';

export const dnsmasqUsage = 'virtnet dnsmasq [--hostsfile | --addnhosts] FILE';

export function dnsmasqCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, { booleans: ['hostsfile', 'addnhosts'], positionals: [1, 1] });
  if (args.flags.has('hostsfile') && args.flags.has('addnhosts')) throw new UsageError('choose one of --hostsfile and --addnhosts');
  const { network } = loadValidNetwork(args.positionals[0]!, io);
  // The bridge name comes from the compiled plan, which allocates virbrN when the document has none.
  const plan = compileNetwork(network);
  const files = dnsmasqConfig(network, { bridge: plan.bridge ?? network.bridge?.name ?? '' });
  if (args.flags.has('hostsfile')) io.out(files.hostsfile ?? '');
  else if (args.flags.has('addnhosts')) io.out(files.addnhosts ?? '');
  else io.out(files.conf);
  return 0;
}
