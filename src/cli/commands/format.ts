/** `virtnet format [--inactive] FILE`: print the document as libvirt formats it. */
import { formatNetwork } from '../../xml/index.js';
import { parseArgs } from '../args.js';
import type { Io } from '../io.js';
import { loadNetwork } from '../load.js';

export const formatUsage = 'virtnet format [--inactive] [--strict] FILE';

export function formatCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, { booleans: ['inactive', 'strict'], positionals: [1, 1] });
  const { network } = loadNetwork(args.positionals[0]!, io, { strict: args.flags.has('strict') });
  io.out(formatNetwork(network, { inactive: args.flags.has('inactive') }));
  return 0;
}
