/**
 * The real Linux backend: the shared transaction engine driving a {@link LinuxExecutor}, with
 * the record of active networks in files (default `/run/virtnet/networks`, or
 * `/run/virtnet/netns/<NS>/networks` when it works inside a namespace) and a cross-process lock.
 *
 * @module
 */
import { join } from 'node:path';
import { TransactionalBackend } from '../engine.js';
import { NetworkLock } from '../lock.js';
import { FileStateStore, type StateStore } from '../state-store.js';
import { LinuxExecutor } from './executor.js';
import { inspectNetwork } from './inspect.js';
import { checkNetnsName, type SpawnMode } from './netns.js';
import { HostError } from '../types.js';

// Only the backend's own names: this module is re-exported from the package root, where helper
// names (`sysctlPath`, `run`, …) would collide with other layers'. Import helpers from their modules.
export { LinuxExecutor, type LinuxExecutorOptions } from './executor.js';
export type { CommandContext, SpawnMode } from './netns.js';
export type { ProcessCounter, RunOptions, RunResult } from './run.js';
export { spawnAgentStarts, type AgentCommand, type AgentSysctlResult, type SpawnAgent, type SpawnAgentOptions } from './spawn-agent.js';
export { inspectNetwork } from './inspect.js';

/** Default root of virtnet's runtime state. */
export const DEFAULT_RUN_DIR = '/run/virtnet';

/** Options of {@link LinuxBackend}. */
export interface LinuxBackendOptions {
  /** Work inside this network namespace (it must exist). */
  netns?: string;
  /** Root of the runtime state (records and locks). Default `/run/virtnet`. */
  runDir?: string;
  /** Replace the record store (tests). */
  store?: StateStore;
  /** An executor to use instead of a new one (e.g. one with fault injection). */
  executor?: LinuxExecutor;
  /**
   * How tools are started: `agent` (default) through one small helper process that starts each
   * tool inside the namespace, `direct` with one spawn from Node per tool (see spawn-agent.ts).
   * The agent falls back to `direct` by itself where perl is missing.
   */
  spawn?: SpawnMode;
}

/**
 * Applies plans on this Linux host (root required), transactionally.
 *
 * @example
 * ```ts
 * const backend = new LinuxBackend({ netns: 'lab' });
 * const result = await backend.apply(compileNetwork(parseNetwork(xml)));
 * if (!result.ok) console.error(result.error);
 * await backend.teardown('default');
 * ```
 */
export class LinuxBackend extends TransactionalBackend {
  override readonly executor: LinuxExecutor;

  constructor(options: LinuxBackendOptions = {}) {
    const netns = options.netns === undefined ? undefined : checkNetnsName(options.netns);
    const base = netns ? join(options.runDir ?? DEFAULT_RUN_DIR, 'netns', netns) : (options.runDir ?? DEFAULT_RUN_DIR);
    const executor = options.executor ?? new LinuxExecutor({ ...(netns ? { netns } : {}), runDir: base, ...(options.spawn ? { spawn: options.spawn } : {}) });
    if (executor.netns !== netns) throw new Error(`executor works in namespace '${executor.netns ?? ''}', backend in '${netns ?? ''}'`);
    super({
      name: netns ? `linux:${netns}` : 'linux',
      executor,
      store: options.store ?? new FileStateStore(join(base, 'networks')),
      lock: new NetworkLock({ dir: join(base, 'locks') }),
      inspect: (network, plan) => inspectNetwork(executor.ctx, network, plan),
    });
    this.executor = executor;
  }

  /**
   * Start the helper process that starts the tools now, in the background, so that the first
   * command does not wait for it (~20 ms here). Does nothing with `spawn: 'direct'`.
   */
  warmUp(): void {
    void this.executor.ctx.agent?.usable();
  }

  /**
   * Stop the helper process that starts the tools (shared by every backend of this Node process)
   * now instead of after its 2 s idle time; it never keeps Node running either way, and is never
   * a process inside the namespace. The backend stays usable: a later call starts a new one.
   */
  close(): Promise<void> {
    return this.executor.close();
  }

  /**
   * Names a new bridge must not take: every link on the host (or in the namespace) and the
   * bridges of the networks this backend has applied — what libvirt's `virbrN` allocation
   * checks. Pass them to `compileNetwork(network, { usedBridgeNames })`. One `ip` process.
   */
  async usedBridgeNames(): Promise<string[]> {
    const result = await this.executor.ctx.ip(['-json', 'link', 'show']);
    if (result.code !== 0) throw new HostError('ECOMMAND', `ip link show failed: ${result.stderr.trim()}`);
    const names = new Set<string>();
    for (const link of JSON.parse(result.stdout || '[]') as Array<{ ifname?: unknown }>) {
      if (typeof link.ifname === 'string') names.add(link.ifname);
    }
    for (const network of await this.store.list()) {
      const bridge = (await this.store.get(network))?.bridge;
      if (bridge !== undefined) names.add(bridge);
    }
    return [...names].sort();
  }
}
