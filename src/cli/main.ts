#!/usr/bin/env node
/**
 * The `virtnet` command: format, validate, compile and apply libvirt network documents.
 *
 * Exit codes: 0 success, 1 the input or the host refused (errors on stderr as
 * `FILE:LINE:COL: PATH: message`), 2 usage error, 3 `status` of an inactive network.
 *
 * @module
 */
import { UsageError } from './args.js';
import { applyCommand, applyUsage, destroyCommand, destroyUsage, statusCommand, statusUsage } from './commands/apply.js';
import { dnsmasqCommand, dnsmasqUsage } from './commands/dnsmasq.js';
import { firewallCommand, firewallUsage } from './commands/firewall.js';
import { formatCommand, formatUsage } from './commands/format.js';
import { planCommand, planUsage } from './commands/plan.js';
import { validateCommand, validateUsage } from './commands/validate.js';
import { type Io, processIo } from './io.js';
import { ReportedError } from './load.js';

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  format: { run: formatCommand, usage: formatUsage, summary: 'print the document as libvirt formats it' },
  validate: { run: validateCommand, usage: validateUsage, summary: 'list what libvirt would refuse at define time' },
  plan: { run: planCommand, usage: planUsage, summary: 'the host operations that start the network' },
  dnsmasq: { run: dnsmasqCommand, usage: dnsmasqUsage, summary: "the dnsmasq conf, hosts file or addn-hosts file" },
  firewall: { run: firewallCommand, usage: firewallUsage, summary: "libvirt's firewall commands for the network" },
  apply: { run: applyCommand, usage: applyUsage, summary: 'start the network on this host (root)' },
  destroy: { run: destroyCommand, usage: destroyUsage, summary: 'stop the network and remove what apply created' },
  status: { run: statusCommand, usage: statusUsage, summary: 'show the host state of a network' },
};

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'usage: virtnet COMMAND [OPTIONS] FILE   (FILE may be - for standard input)',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`virtnet: unknown command '${name}'\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`virtnet ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof ReportedError) return error.exitCode;
    const e = error as { code?: unknown; path?: unknown; message?: unknown };
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      // Typed errors of the library (compile, backend, file system): one clear line, no stack.
      io.err(`virtnet ${name}: ${typeof e.path === 'string' && e.path ? `${e.path}: ` : ''}${e.message} [${e.code}]\n`);
      return 1;
    }
    throw error;
  }
}

// Run when executed directly (the bin entry), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:cli|main)\.(?:c?js|ts)$/.test(invoked) || invoked.endsWith('/virtnet')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`virtnet: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
