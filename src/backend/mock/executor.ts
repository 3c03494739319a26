/**
 * Runs plan operations against a {@link MockHost}: records each one, injects faults on request,
 * and counts the processes the Linux backend would spawn for the same work.
 *
 * @module
 */
import type { Operation } from '../../compile/plan.js';
import { describeOperation } from '../../compile/describe.js';
import { HostError, type ExecutedStep, type OperationExecutor } from '../types.js';
import { firewallProcessCount } from './firewall.js';
import type { MockHost } from './host.js';

/** One operation the mock ran (or refused). */
export interface MockLogEntry {
  /** Position among all operations this executor ran, from 0. */
  seq: number;
  operation: Operation;
  ok: boolean;
  /** True when the failure was injected by {@link MockExecutor.failAt} / {@link MockExecutor.failWhen}. */
  injected: boolean;
  /** Whether it ran as part of an undo or teardown (`continueOnError`). */
  continueOnError: boolean;
  error?: { code: string; message: string };
}

/** Decides whether an operation should fail: `index` counts operations since the fault was armed. */
export type FaultPredicate = (operation: Operation, index: number) => boolean;

interface Fault {
  predicate: FaultPredicate;
  errno: string;
  once: boolean;
  seen: number;
}

/** Operations the Linux backend sends through one `ip -batch` process when they come in a row. */
function isNetlink(op: Operation): boolean {
  return op.kind.startsWith('link.') || op.kind.startsWith('address.') || op.kind.startsWith('route.');
}

/**
 * The {@link OperationExecutor} of the mock backend.
 *
 * @example
 * ```ts
 * const executor = new MockExecutor(new MockHost());
 * executor.failAt(3, 'EEXIST');
 * await executor.execute(plan.operations); // the fourth step fails, nothing after it runs
 * ```
 */
export class MockExecutor implements OperationExecutor {
  /** Every operation run, in order. */
  readonly log: MockLogEntry[] = [];
  private faults: Fault[] = [];
  private processes = 0;

  constructor(readonly host: MockHost) {}

  get processCount(): number {
    return this.processes;
  }

  /** Fail the `n`-th operation (0-based) executed from now on, once, with `errno` (default `EIO`). */
  failAt(n: number, errno = 'EIO'): void {
    this.faults.push({ predicate: (_op, index) => index === n, errno, once: true, seen: 0 });
  }

  /** Fail every operation `predicate` picks (until {@link MockExecutor.clearFaults}), with `errno` (default `EIO`). */
  failWhen(predicate: FaultPredicate, errno = 'EIO'): void {
    this.faults.push({ predicate, errno, once: false, seen: 0 });
  }

  /** Remove every armed fault. */
  clearFaults(): void {
    this.faults = [];
  }

  /** The fault that fires for this operation, if any (each fault counts the operations it saw). */
  private injectedFault(op: Operation): Fault | undefined {
    let fired: Fault | undefined;
    for (const fault of this.faults) {
      const index = fault.seen++;
      if (!fired && fault.predicate(op, index)) fired = fault;
    }
    if (fired?.once) this.faults = this.faults.filter((f) => f !== fired);
    return fired;
  }

  async execute(operations: readonly Operation[], options: { continueOnError?: boolean } = {}): Promise<ExecutedStep[]> {
    const continueOnError = options.continueOnError ?? false;
    const steps: ExecutedStep[] = [];
    let inBatch = false;
    for (const op of operations) {
      const started = performance.now();
      if (isNetlink(op)) {
        if (!inBatch) this.processes++;
        inBatch = true;
      } else {
        inBatch = false;
        if (op.kind === 'firewall.add' || op.kind === 'firewall.remove') this.processes += firewallProcessCount(op);
        if (op.kind === 'dnsmasq.start') this.processes++;
      }
      const entry: MockLogEntry = { seq: this.log.length, operation: op, ok: true, injected: false, continueOnError };
      this.log.push(entry);
      const fault = this.injectedFault(op);
      let step: ExecutedStep;
      if (fault) {
        const error = new HostError(fault.errno, `injected failure (${fault.errno}) at ${describeOperation(op)}`, op);
        entry.injected = true;
        step = { operation: op, ok: false, undo: [], error, durationMs: performance.now() - started };
      } else {
        try {
          const undo = this.host.apply(op);
          step = { operation: op, ok: true, undo, durationMs: performance.now() - started };
        } catch (e) {
          const error = e instanceof HostError ? e : new HostError('EIO', String(e), op);
          step = { operation: op, ok: false, undo: [], error, durationMs: performance.now() - started };
        }
      }
      if (!step.ok) {
        entry.ok = false;
        entry.error = { code: step.error!.code, message: step.error!.message };
      }
      steps.push(step);
      if (!step.ok && !continueOnError) break;
    }
    return steps;
  }
}
