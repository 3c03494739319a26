/**
 * Starting and stopping dnsmasq. It is started with its argument array (inside the namespace via
 * `ip netns exec NS dnsmasq …`) and daemonises only after binding its sockets, so once the
 * foreground process has exited and the pidfile names a live dnsmasq it is serving. It is stopped by
 * its pidfile: SIGTERM, a short wait, then SIGKILL.
 *
 * @module
 */
import { promises as fs, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Operation } from '../../compile/plan.js';
import { HostError } from '../types.js';
import { checkPath } from './files.js';
import type { CommandContext } from './netns.js';
import { describeFailure, resolveBinary } from './run.js';

type StartOp = Extract<Operation, { kind: 'dnsmasq.start' }>;
type StopOp = Extract<Operation, { kind: 'dnsmasq.stop' }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The pidfile and /proc entries are read synchronously: they are tiny, and each async read is
// four trips through libuv's thread pool, CPU time a start or stop shares with the tools.

/** The pid in a pidfile, or undefined when the file is missing or holds no number. */
export function readPidfile(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** A process's argv from /proc, or undefined when it is gone or a zombie. */
export function processArgs(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name; Z/X: exited, waiting to be reaped.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return undefined;
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (args[args.length - 1] === '') args.pop();
    return args;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live dnsmasq (guards against a pidfile naming a recycled pid). */
export function isLiveDnsmasq(pid: number): boolean {
  const args = processArgs(pid);
  return args !== undefined && args.length > 0 && basename(args[0]!) === 'dnsmasq';
}

const ARG = /^[^\0\n]*$/;

/**
 * Start dnsmasq and wait until its pidfile names a live dnsmasq. Returns the undo (stop it).
 */
export async function startDnsmasq(ctx: CommandContext, op: StartOp): Promise<Operation[]> {
  const pidfile = checkPath(op.pidfile, op);
  for (const a of op.args) if (!ARG.test(a)) throw new HostError('EINVAL', 'dnsmasq argument contains a NUL or newline', op);
  for (const [k, v] of Object.entries(op.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !ARG.test(v)) throw new HostError('EINVAL', `invalid environment variable '${k}'`, op);
  }
  // Synchronous reads of two tiny files: the daemon is then spawned without yielding, so a
  // pipelined start gets it going before the other branches' processes.
  const existing = readPidfile(pidfile);
  if (existing !== undefined && isLiveDnsmasq(existing)) {
    throw new HostError('EEXIST', `dnsmasq for network '${op.network}' is already running (pid ${existing}, ${pidfile})`, op);
  }
  let binary: string;
  try {
    binary = resolveBinary(op.binary);
  } catch {
    throw new HostError('ENOENT', `dnsmasq binary '${op.binary}' not found`, op);
  }
  const r = await ctx.tool(binary, op.args, { env: op.env, timeoutMs: 15_000 });
  if (r.code !== 0) throw new HostError('ECOMMAND', describeFailure('dnsmasq', op.args, r), op);
  // The foreground process exits once the daemon is bound; the daemon writes the pidfile first,
  // but allow a moment for slow file systems.
  const deadline = performance.now() + 5_000;
  for (;;) {
    const pid = readPidfile(pidfile);
    if (pid !== undefined && isLiveDnsmasq(pid)) return [{ kind: 'dnsmasq.stop', network: op.network, pidfile }];
    if (performance.now() > deadline) {
      throw new HostError('ETIMEDOUT', `dnsmasq exited 0 but ${pidfile} names no running dnsmasq${r.stderr ? `: ${r.stderr.trim()}` : ''}`, op);
    }
    await sleep(5);
  }
}

/**
 * Stop the dnsmasq named by the pidfile (SIGTERM, wait up to 2 s, SIGKILL) and remove the pidfile
 * (dnsmasq runs as nobody by then and cannot remove it itself). Nothing running is not an error.
 */
export async function stopDnsmasq(op: StopOp): Promise<Operation[]> {
  const pidfile = checkPath(op.pidfile, op);
  const pid = readPidfile(pidfile);
  if (pid !== undefined && isLiveDnsmasq(pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw new HostError('EPERM', `cannot signal dnsmasq ${pid}: ${(e as Error).message}`, op);
    }
    const deadline = performance.now() + 2_000;
    while (isLiveDnsmasq(pid) && performance.now() < deadline) await sleep(5);
    if (isLiveDnsmasq(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      const killDeadline = performance.now() + 2_000;
      while (isLiveDnsmasq(pid) && performance.now() < killDeadline) await sleep(5);
      if (isLiveDnsmasq(pid)) throw new HostError('ETIMEDOUT', `dnsmasq ${pid} survived SIGKILL for 2 s`, op);
    }
  }
  await fs.rm(pidfile, { force: true });
  return [];
}
