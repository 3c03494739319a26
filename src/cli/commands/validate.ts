/** `virtnet validate FILE`: print what libvirt would refuse at define time (exit 1 when anything is wrong). */
import { validateNetwork } from '../../validate/index.js';
import { parseArgs } from '../args.js';
import type { Io } from '../io.js';
import { loadNetwork, reportProblems } from '../load.js';

export const validateUsage = 'virtnet validate [--strict] FILE';

export function validateCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, { booleans: ['strict'], positionals: [1, 1] });
  const loaded = loadNetwork(args.positionals[0]!, io, { strict: args.flags.has('strict') });
  const problems = validateNetwork(loaded.network);
  const failed = reportProblems(loaded, problems, io);
  if (problems.length === 0) io.out(`${loaded.name}: valid\n`);
  return failed ? 1 : 0;
}
