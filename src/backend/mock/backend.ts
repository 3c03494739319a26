/**
 * The in-memory backend: the shared transaction engine over a {@link MockHost}. Everything a real
 * start does happens to the fake host, with the kernel's refusals, so a test can apply, inject a
 * failure at any step and compare host snapshots, all offline and in microseconds.
 *
 * @module
 */
import { TransactionalBackend } from '../engine.js';
import { NetworkLock } from '../lock.js';
import { MemoryStateStore, type StateStore } from '../state-store.js';
import { MockExecutor, type FaultPredicate, type MockLogEntry } from './executor.js';
import { MockHost, type MockHostOptions } from './host.js';
import type { HostSnapshot } from './state.js';

/** Options of {@link MockBackend}. */
export interface MockBackendOptions extends MockHostOptions {
  /** Use this host instead of a new one (two backends can share a host, as two processes would). */
  host?: MockHost;
  store?: StateStore;
  lock?: NetworkLock;
}

/**
 * A {@link Backend} on an in-memory Linux host.
 *
 * @example
 * ```ts
 * const mock = new MockBackend();
 * const before = mock.snapshot();
 * mock.failAt(5);
 * const result = await mock.apply(plan); // result.rolledBack === true
 * expect(mock.snapshot()).toEqual(before);
 * ```
 */
export class MockBackend extends TransactionalBackend {
  readonly host: MockHost;
  declare readonly executor: MockExecutor;

  constructor(options: MockBackendOptions = {}) {
    const host = options.host ?? new MockHost(options);
    super({
      name: 'mock',
      executor: new MockExecutor(host),
      store: options.store ?? new MemoryStateStore(),
      lock: options.lock ?? new NetworkLock(),
      inspect: async (network, plan) => host.inspect(network, plan),
    });
    this.host = host;
  }

  /** Every operation executed so far (applies, undos and teardowns), in order. */
  get log(): readonly MockLogEntry[] {
    return this.executor.log;
  }

  /** Processes the Linux backend would have spawned for everything executed so far. */
  get processCount(): number {
    return this.executor.processCount;
  }

  /** Fail the `n`-th operation (0-based) executed from now on, once, with `errno` (default `EIO`). */
  failAt(n: number, errno?: string): this {
    this.executor.failAt(n, errno);
    return this;
  }

  /** Fail every operation `predicate` picks until {@link MockBackend.clearFaults}. */
  failWhen(predicate: FaultPredicate, errno?: string): this {
    this.executor.failWhen(predicate, errno);
    return this;
  }

  /** Remove every armed fault. */
  clearFaults(): this {
    this.executor.clearFaults();
    return this;
  }

  /** A deep-comparable copy of the whole host. */
  snapshot(): HostSnapshot {
    return this.host.snapshot();
  }
}
