/**
 * Where and how host tools run. By default through the spawn agent, a small helper process (one
 * per Node process) that starts each tool inside the namespace (see spawn-agent.ts for why and
 * what it saves). Without the agent (option `spawn: 'direct'`, or no perl on the host) each tool
 * is spawned from Node: inside a namespace `ip -n NS` for iproute2 itself, every other tool via
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
import { sharedSpawnAgent, setnsSyscallNumber, type SpawnAgent } from './spawn-agent.js';

/**
 * How tools are started: `agent` (default) through the process's spawn agent (spawn-agent.ts),
 * falling back to `direct` where the agent cannot run; `direct`: one spawn from Node per tool.
 */
export type SpawnMode = 'agent' | 'direct';

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
  /** The helper that starts tools, unless tools are spawned from Node directly. */
  readonly agent: SpawnAgent | undefined;

  /**
   * @param netns the namespace commands run in (undefined: the current one)
   * @param runDir where this context may keep small caches of host facts (e.g. `/run/virtnet`, or
   *   the namespace's folder under it); undefined: keep nothing
   * @param spawnMode how tools are started (default `agent`)
   */
  constructor(
    readonly netns?: string,
    readonly runDir?: string,
    spawnMode: SpawnMode = 'agent',
  ) {
    if (netns !== undefined) checkNetnsName(netns);
    const canJoin = netns === undefined || setnsSyscallNumber() !== undefined;
    this.agent = spawnMode === 'agent' && canJoin && hasBinary('perl') ? sharedSpawnAgent(resolveBinary('perl')) : undefined;
  }

  /** The namespace as the agent names it ('' = its own). */
  get netnsPath(): string {
    return this.netns ? `/run/netns/${this.netns}` : '';
  }

  /** How tools are started right now (`direct` also when the agent could not start). */
  get spawnMode(): SpawnMode {
    return this.agent && !this.agent.unusable ? 'agent' : 'direct';
  }

  /** `ip [-n NS] ARGS`. */
  ip(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const direct = () => run('ip', this.netns ? ['-n', this.netns, ...args] : args, options, this.counter);
    // The agent starts it inside the namespace: no `-n`.
    return this.agent ? this.agent.run({ file: resolveBinary('ip'), args, options, netnsPath: this.netnsPath, counter: this.counter, fallback: direct }) : direct();
  }

  /** Run TOOL in the namespace (through the agent, or `nsenter --net=… TOOL ARGS`), or directly without one. */
  tool(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const key = [command, ...args].join('\0');
    const warm = this.warm.get(key);
    if (warm && options.input !== undefined) {
      this.warm.delete(key);
      Promise.resolve(options.input).then(warm.feed, warm.cancel);
      return warm.result;
    }
    const direct = () => {
      if (!this.netns) return run(command, args, options, this.counter);
      if (hasBinary('nsenter')) return run('nsenter', [`--net=/run/netns/${this.netns}`, '--', resolveBinary(command), ...args], options, this.counter);
      return run('ip', ['netns', 'exec', this.netns, resolveBinary(command), ...args], options, this.counter);
    };
    return this.agent ? this.agent.run({ file: resolveBinary(command), args, options, netnsPath: this.netnsPath, counter: this.counter, fallback: direct }) : direct();
  }

  /** Tools started ahead of their input, by command line (see {@link prewarm}). */
  private readonly warm = new Map<string, { feed: (input: string) => void; cancel: () => void; result: Promise<RunResult> }>();

  /**
   * Start `command args` now, waiting on its stdin: the next {@link tool} call with the same
   * command and arguments gets this process and gives it its input. For a tool whose input
   * depends on an earlier step (nft's `iif "virbr0"` needs the bridge), its exec and library
   * loading (~10 ms here) then overlap that step. {@link dropPrewarmed} kills what was not used.
   */
  prewarm(command: string, args: readonly string[], options: Omit<RunOptions, 'input'> = {}): void {
    const key = [command, ...args].join('\0');
    if (this.warm.has(key)) return;
    let feed!: (input: string) => void;
    let cancel!: () => void;
    const input = new Promise<string>((resolve, reject) => {
      feed = resolve;
      cancel = () => reject(new Error('not needed'));
    });
    input.catch(() => undefined);
    const result = this.tool(command, args, { ...options, input });
    result.catch(() => undefined);
    this.warm.set(key, { feed, cancel, result });
  }

  /** Kill the tools {@link prewarm} started that no call took. */
  async dropPrewarmed(): Promise<void> {
    const left = [...this.warm.values()];
    this.warm.clear();
    for (const w of left) w.cancel();
    await Promise.allSettled(left.map((w) => w.result));
  }

  /**
   * Stop the agent (if any) once its commands are done; a later command (of any context: the
   * agent is shared) starts a new one.
   */
  close(): Promise<void> {
    return this.agent?.close() ?? Promise.resolve();
  }
}
