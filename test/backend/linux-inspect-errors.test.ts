/**
 * Reading the firewall back: a dump tool that fails is an error naming the tool and what it said,
 * never an empty firewall (an empty ruleset lists with exit status 0).
 */
import { describe, expect, it } from 'vitest';
import { readFirewall } from '../../src/backend/linux/inspect.js';
import { CommandContext } from '../../src/backend/linux/netns.js';
import { hasBinary } from '../../src/backend/linux/run.js';

const missing = ['nft', 'iptables-save', 'perl'].filter((t) => !hasBinary(t));
if (missing.length > 0) console.warn(`[skip] inspect errors: missing ${missing.join(', ')}`);

describe.skipIf(missing.length > 0)('readFirewall when the dump tool fails', () => {
  // A namespace that does not exist: the tool cannot even start inside it.
  const ctx = new CommandContext('vnt-no-such-namespace-inspect');

  it.each(['nftables', 'iptables'] as const)('%s: rejects with ECOMMAND and the reason', async (backend) => {
    const read = readFirewall(ctx, backend, 'virbr0', ['192.168.122.0/24']);
    await expect(read).rejects.toMatchObject({ code: 'ECOMMAND' });
    await expect(read).rejects.toThrow(/(nft -j list ruleset|iptables-save) exited with 126: cannot open network namespace \/run\/netns\/vnt-no-such-namespace-inspect/);
  });
});
