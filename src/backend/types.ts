/**
 * What every backend offers, and the pieces the shared transaction engine needs from one.
 *
 * @module
 */
import type { Operation, Plan } from '../compile/plan.js';

/** Why a host operation failed: an errno-style code plus a readable message. */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    /** errno name (`EEXIST`, `ENODEV`, `ERANGE`, …) or `ECOMMAND` when a tool exited non-zero. */
    readonly code: string,
    message: string,
    /** The operation that failed, when there is one. */
    readonly operation?: Operation,
  ) {
    super(message);
  }
}

/** What happened to one operation of an apply or teardown. */
export interface OperationResult {
  operation: Operation;
  /**
   * `ignored`: failed, but the plan allows it (a `route.add` with `ignoreErrors`, as libvirt logs
   * and goes on); `undone`: done, then reverted by a rollback.
   */
  status: 'done' | 'failed' | 'ignored' | 'skipped' | 'undone' | 'undo-failed';
  durationMs: number;
  error?: { code: string; message: string };
}

/** The outcome of {@link Backend.apply} or {@link Backend.teardown}. */
export interface ApplyResult {
  ok: boolean;
  /** Nothing needed doing (the network was already up as planned, or already down). */
  unchanged: boolean;
  /** A failure was undone: the host is as it was before the call. */
  rolledBack: boolean;
  operations: OperationResult[];
  /** Undo steps run after a failure, in the order they ran. */
  undo: OperationResult[];
  error?: { code: string; message: string; operationIndex?: number };
  durationMs: number;
  /** Child processes spawned (iproute2, iptables-restore, nft, dnsmasq…). */
  processes: number;
}

/** One step an executor ran: `undo` reverts exactly what it changed (empty when nothing changed). */
export interface ExecutedStep {
  operation: Operation;
  ok: boolean;
  undo: Operation[];
  error?: HostError;
  durationMs: number;
}

/**
 * Performs operations on one host. The transaction engine hands it a whole plan; it may batch
 * consecutive operations (one `ip -batch` for links, addresses and routes) and must stop at the
 * first failure unless `continueOnError` is set (used for undo and teardown). It returns one step
 * per operation it attempted, in order. A failed `route.add` with `ignoreErrors` may end the run
 * like any failure: the engine then calls `execute` again with the remaining operations.
 */
export interface OperationExecutor {
  execute(operations: readonly Operation[], options?: { continueOnError?: boolean }): Promise<ExecutedStep[]>;
  /** Processes spawned so far (for benchmarks and the 4-process budget). */
  readonly processCount?: number;
}

/** A link as observed on the host. */
export interface ObservedLink {
  name: string;
  kind?: string;
  mac?: string;
  mtu?: number;
  up: boolean;
  stp?: boolean;
  /** Centiseconds. */
  forwardDelay?: number;
  vlanFiltering?: boolean;
}

/** An address as observed. */
export interface ObservedAddress {
  dev: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  broadcast?: string;
}

/** A route as observed. */
export interface ObservedRoute {
  dev: string;
  family: 'ipv4' | 'ipv6';
  destination: string;
  prefix: number;
  gateway?: string;
  metric?: number;
}

/** What {@link Backend.inspect} sees of one network on the host. */
export interface HostState {
  network: string;
  /** Whether the backend holds a record of the network being applied. */
  active: boolean;
  plan?: Plan;
  links: ObservedLink[];
  addresses: ObservedAddress[];
  routes: ObservedRoute[];
  sysctls: Record<string, string>;
  /** Firewall rules that belong to the network, one rendered rule per entry (backend's own syntax). */
  firewall: { backend: 'iptables' | 'nftables'; rules: string[] };
  files: Array<{ path: string; mode: number; content: string }>;
  dnsmasq?: { pid: number; running: boolean; args: string[] };
}

/**
 * A place networks are started on: the real host ({@link LinuxBackend}), an in-memory one
 * ({@link MockBackend}), or one of your own.
 */
export interface Backend {
  readonly name: string;
  /** Apply a plan; on failure undo what was done. Applying the same plan twice is a no-op. */
  apply(plan: Plan): Promise<ApplyResult>;
  /** Stop a network: by its applied plan or by name. A network that is not active is a no-op. */
  teardown(target: Plan | string): Promise<ApplyResult>;
  /** Observe the host state of a network. */
  inspect(network: string): Promise<HostState>;
}
