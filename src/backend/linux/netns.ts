/**
 * Running tools inside a network namespace. `ip -n NS` for iproute2 itself; every other tool via
 * `nsenter --net=/run/netns/NS TOOL …` (or `ip netns exec NS TOOL …` where util-linux' nsenter is
 * missing), which enters the namespace and then execs the tool, so it is still one process (one
 * pid) per call. nsenter only joins the network namespace; `ip netns exec` also makes a mount
 * namespace and remounts /sys, which none of the tools run here needs (they talk netlink and read
 * /proc/sys/net, which follows the caller's network namespace), and costs ~30 ms more per call.
 *
 * @module
 */
import { HostError } from '../types.js';
import { ProcessCounter, hasBinary, run, resolveBinary, type RunOptions, type RunResult } from './run.js';

/** Names `ip netns add` accepts and that are safe as one path component under /run/netns. */
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Check a namespace name before it reaches a command line or a path.
 *
 * @example
 * checkNetnsName('vnt-123-host') // ok; '../x' throws HostError EINVAL
 */
export function checkNetnsName(name: string): string {
  if (!NETNS_NAME.test(name) || name === '.' || name === '..') {
    throw new HostError('EINVAL', `invalid network namespace name '${name}'`);
  }
  return name;
}

/** Where commands run: the current namespace, or a named one. */
export class CommandContext {
  readonly counter = new ProcessCounter();
  /**
   * @param netns the namespace commands run in (undefined: the current one)
   * @param runDir where this context may keep small caches of host facts (e.g. `/run/virtnet`, or
   *   the namespace's folder under it); undefined: keep nothing
   */
  constructor(
    readonly netns?: string,
    readonly runDir?: string,
  ) {
    if (netns !== undefined) checkNetnsName(netns);
  }

  /** `ip [-n NS] ARGS`. */
  ip(args: readonly string[], options?: RunOptions): Promise<RunResult> {
    return run('ip', this.netns ? ['-n', this.netns, ...args] : args, options, this.counter);
  }

  /** Run TOOL in the namespace (`ip netns exec NS TOOL ARGS`), or directly without one. */
  tool(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult> {
    if (!this.netns) return run(command, args, options, this.counter);
    if (hasBinary('nsenter')) return run('nsenter', [`--net=/run/netns/${this.netns}`, '--', resolveBinary(command), ...args], options, this.counter);
    return run('ip', ['netns', 'exec', this.netns, resolveBinary(command), ...args], options, this.counter);
  }
}
