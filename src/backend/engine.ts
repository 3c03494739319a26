/**
 * The transaction engine both backends share: apply a plan all-or-nothing (undo what was done on
 * the first failure), skip a plan that is already applied, tear a network down by plan or name.
 * A backend only supplies an {@link OperationExecutor}; ordering, locking, undo, the record of
 * active networks and timing live here, once.
 *
 * @module
 */
import type { Operation, Plan } from '../compile/plan.js';
import { describeOperation } from '../compile/describe.js';
import { teardownPlan, type RecordedInverse } from '../compile/inverse.js';
import type { NetworkLock } from './lock.js';
import { BackendError, type AppliedFacts, type NetworkRecord, type StateStore } from './state-store.js';
import {
  HostError,
  type ApplyResult,
  type Backend,
  type ExecutedStep,
  type HostState,
  type OperationExecutor,
  type OperationResult,
} from './types.js';

/**
 * Deep equality of two JSON-like values, ignoring key order and keys whose value is `undefined`
 * (JSON drops them, so a plan read back from a file still equals the one compiled).
 */
export function plansEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!plansEqual(a[i], bs[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const aKeys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bKeys = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  for (const k of aKeys) if (!(k in bo) || !plansEqual(ao[k], bo[k])) return false;
  return true;
}

/** Whether a failure of this operation is logged and ignored instead of failing the apply (libvirt's static routes). */
function failureIgnored(op: Operation): boolean {
  return op.kind === 'route.add' && op.ignoreErrors;
}

/**
 * Whether a removal failed only because what it removes is already gone (or, for a folder, still
 * used by another network). Undo and teardown aim at absence, so such a step has done its job:
 * taking a link down already dropped its IPv6 addresses, deleting a bridge took its addresses,
 * stopping dnsmasq may have removed its pidfile.
 */
export function alreadyGone(op: Operation, code: string | undefined): boolean {
  switch (op.kind) {
    case 'link.delete':
      return code === 'ENODEV';
    case 'link.set-state':
      return !op.up && code === 'ENODEV';
    case 'address.delete':
      return code === 'EADDRNOTAVAIL' || code === 'ENODEV';
    case 'route.delete':
      return code === 'ESRCH' || code === 'ENODEV';
    case 'file.remove':
      return code === 'ENOENT';
    case 'dir.remove':
      return code === 'ENOENT' || code === 'ENOTEMPTY';
    case 'dnsmasq.stop':
      return code === 'ENOENT' || code === 'ESRCH';
    default:
      return false;
  }
}

/** A step of an undo or teardown: failed only if it did not reach its goal. */
function settled(step: ExecutedStep): boolean {
  return step.ok || alreadyGone(step.operation, step.error?.code);
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof HostError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : 'EEXECUTOR', message: error.message };
  }
  return { code: 'EEXECUTOR', message: String(error) };
}

/**
 * What the executor handed back that the plan lacks and the teardown needs: the `firewall.remove`
 * undo of each `firewall.add` when it carries the handles of the rules it inserted (nftables).
 * Other undo operations are not kept: the teardown's inverses come from the plan (a sysctl's undo,
 * for one, restores a value libvirt's shutdown leaves alone).
 */
function appliedFacts(steps: readonly ExecutedStep[]): AppliedFacts | undefined {
  const inverses: RecordedInverse[] = [];
  steps.forEach((step, index) => {
    if (step.operation.kind !== 'firewall.add') return;
    const removal = step.undo.find((op) => op.kind === 'firewall.remove' && op.handles !== undefined);
    if (removal) inverses.push({ index, operation: removal });
  });
  return inverses.length > 0 ? { inverses } : undefined;
}

/** The record of `network`, with its facts when the store keeps them. */
async function recordOf(store: StateStore, network: string): Promise<NetworkRecord | undefined> {
  if (store.getRecord) return store.getRecord(network);
  const plan = await store.get(network);
  return plan === undefined ? undefined : { plan };
}

/** Run `operations` to the end, carrying on past failures the plan marks as ignorable. */
async function runForward(
  executor: OperationExecutor,
  operations: readonly Operation[],
): Promise<{ steps: ExecutedStep[]; thrown?: { code: string; message: string } }> {
  const steps: ExecutedStep[] = [];
  while (steps.length < operations.length) {
    const rest = operations.slice(steps.length);
    let got: ExecutedStep[];
    try {
      got = await executor.execute(rest);
    } catch (error) {
      return { steps, thrown: errorOf(error) };
    }
    // An executor reports at most one step per operation given.
    steps.push(...got.slice(0, rest.length));
    const last = steps[steps.length - 1];
    if (got.length === 0) {
      return { steps, thrown: { code: 'EEXECUTOR', message: `executor ran none of ${rest.length} operations and reported no failure` } };
    }
    if (last && !last.ok && !failureIgnored(last.operation)) return { steps };
    if (got.length < rest.length && last?.ok) {
      return { steps, thrown: { code: 'EEXECUTOR', message: `executor stopped after ${steps.length} of ${operations.length} operations without a failure` } };
    }
  }
  return { steps };
}

function resultOf(step: ExecutedStep, status: OperationResult['status']): OperationResult {
  const result: OperationResult = { operation: step.operation, status, durationMs: step.durationMs };
  if (step.error) result.error = { code: step.error.code, message: step.error.message };
  return result;
}

function emptyResult(ok: boolean, unchanged: boolean, started: number): ApplyResult {
  return { ok, unchanged, rolledBack: false, operations: [], undo: [], durationMs: performance.now() - started, processes: 0 };
}

/**
 * Apply `plan` on the host `executor` drives, as one transaction, under `lock`:
 * - the store holds an equal plan → `{ ok: true, unchanged: true }` and nothing runs;
 * - it holds a different plan for the network → `ok: false`, error `network.active` (tear it down first);
 * - otherwise every operation runs in order. On the first failure (other than an ignorable
 *   `route.add`), the undo operations of every step done so far run in reverse order, carrying on
 *   past errors: the result has `rolledBack: true` (when every undo step worked), the failed
 *   operation's index and error code, and each operation's status (`undone`, `failed`, `skipped`).
 * - on success the plan is recorded in `store`, with what the executor handed back that the
 *   teardown needs (the nft handles of the firewall rules, see {@link AppliedFacts}).
 *
 * Never throws for a host failure; it throws only when the lock or the store fails before
 * anything ran.
 *
 * @example
 * ```ts
 * const result = await applyPlan(executor, plan, new MemoryStateStore(), new NetworkLock());
 * if (!result.ok) console.error(result.error?.message);
 * ```
 */
export async function applyPlan(executor: OperationExecutor, plan: Plan, store: StateStore, lock: NetworkLock): Promise<ApplyResult> {
  checkPlan(plan);
  return lock.run(plan.network, async () => {
    const started = performance.now();
    const current = await store.get(plan.network);
    if (current !== undefined) {
      if (plansEqual(current, plan)) return emptyResult(true, true, started);
      const result = emptyResult(false, false, started);
      result.error = {
        code: 'network.active',
        message: `network '${plan.network}' is already active with a different plan; tear it down before applying the new one`,
      };
      return result;
    }

    const processesBefore = executor.processCount ?? 0;
    const { steps, thrown } = await runForward(executor, plan.operations);
    const operations: OperationResult[] = steps.map((s) => resultOf(s, s.ok ? 'done' : failureIgnored(s.operation) ? 'ignored' : 'failed'));
    const failedIndex = thrown ? steps.length : steps.findIndex((s) => !s.ok && !failureIgnored(s.operation));

    if (failedIndex < 0) {
      try {
        const facts = appliedFacts(steps);
        await (facts ? store.set(plan.network, plan, facts) : store.set(plan.network, plan));
        return finish(true, false, operations, [], undefined);
      } catch (error) {
        // The host is up but unrecorded: a later teardown by name could not find it. Undo instead.
        const cause = errorOf(error);
        return rollback({ code: 'state.write-failed', message: `could not record network '${plan.network}': ${cause.message}` });
      }
    }

    const failedOp = plan.operations[failedIndex]!;
    const cause = thrown ?? { code: steps[failedIndex]!.error?.code ?? 'EUNKNOWN', message: steps[failedIndex]!.error?.message ?? 'failed' };
    for (let i = steps.length; i < plan.operations.length; i++) {
      operations.push({ operation: plan.operations[i]!, status: i === failedIndex ? 'failed' : 'skipped', durationMs: 0, ...(i === failedIndex ? { error: cause } : {}) });
    }
    return rollback({
      code: cause.code,
      message: `operation ${failedIndex} (${describeOperation(failedOp)}) failed: ${cause.message}`,
      operationIndex: failedIndex,
    });

    /**
     * Undo every reported step, newest first: the done ones, and whatever partial effect a failed
     * one reports (an executor that ran past a failure is undone entirely too).
     */
    async function rollback(error: NonNullable<ApplyResult['error']>): Promise<ApplyResult> {
      const undoOps: Operation[] = [];
      const owner: number[] = []; // index of the forward operation each undo op reverts
      for (let i = steps.length - 1; i >= 0; i--) {
        for (const op of steps[i]!.undo) {
          undoOps.push(op);
          owner.push(i);
        }
      }
      let undoSteps: ExecutedStep[] = [];
      let undoThrown: { code: string; message: string } | undefined;
      if (undoOps.length > 0) {
        try {
          undoSteps = await executor.execute(undoOps, { continueOnError: true });
        } catch (e) {
          undoThrown = errorOf(e);
        }
      }
      const undo: OperationResult[] = undoOps.map((op, k) => {
        const step = undoSteps[k];
        if (step) return settled(step) ? { operation: op, status: 'undone', durationMs: step.durationMs } : resultOf(step, 'undo-failed');
        return { operation: op, status: 'undo-failed', durationMs: 0, error: undoThrown ?? { code: 'EEXECUTOR', message: 'the executor did not run this undo step' } };
      });
      const undoFailed = new Set<number>();
      undo.forEach((u, k) => u.status === 'undo-failed' && undoFailed.add(owner[k]!));
      for (let i = 0; i < steps.length; i++) {
        const r = operations[i]!;
        if (r.status === 'done') r.status = undoFailed.has(i) ? 'undo-failed' : 'undone';
      }
      return finish(false, undoFailed.size === 0, operations, undo, error);
    }

    function finish(ok: boolean, rolledBack: boolean, ops: OperationResult[], undo: OperationResult[], error: ApplyResult['error']): ApplyResult {
      const result: ApplyResult = {
        ok,
        unchanged: false,
        rolledBack,
        operations: ops,
        undo,
        durationMs: performance.now() - started,
        processes: (executor.processCount ?? 0) - processesBefore,
      };
      if (error) result.error = error;
      return result;
    }
  });
}

/**
 * Stop a network: `target` is its plan or its name; the plan on record is what gets torn down
 * (it is what the host holds). A network not on record → `{ ok: true, unchanged: true }`.
 * Runs {@link teardownPlan} of the record (with the inverses recorded at apply time, e.g. the
 * nft rule handles) carrying on past errors, as libvirt does, then forgets the network;
 * `ok` is false (error `teardown.incomplete`) when some step failed; a removal whose target is
 * already gone ({@link alreadyGone}) counts as done.
 *
 * @example
 * ```ts
 * await teardownNetwork(executor, 'default', store, lock);
 * ```
 */
export async function teardownNetwork(executor: OperationExecutor, target: Plan | string, store: StateStore, lock: NetworkLock): Promise<ApplyResult> {
  const network = typeof target === 'string' ? target : target.network;
  return lock.run(network, async () => {
    const started = performance.now();
    const record = await recordOf(store, network);
    if (record === undefined) return emptyResult(true, true, started);
    const processesBefore = executor.processCount ?? 0;
    const operations = teardownPlan(record.plan, record.facts?.inverses);
    let steps: ExecutedStep[] = [];
    let thrown: { code: string; message: string } | undefined;
    try {
      steps = operations.length > 0 ? await executor.execute(operations, { continueOnError: true }) : [];
    } catch (e) {
      thrown = errorOf(e);
    }
    const results: OperationResult[] = operations.map((op, i) => {
      const step = steps[i];
      if (step) return settled(step) ? { operation: op, status: 'done', durationMs: step.durationMs } : resultOf(step, 'failed');
      return { operation: op, status: 'failed', durationMs: 0, error: thrown ?? { code: 'EEXECUTOR', message: 'the executor did not run this step' } };
    });
    await store.delete(network);
    const failures = results.map((r, i) => [r, i] as const).filter(([r]) => r.status === 'failed');
    const result: ApplyResult = {
      ok: failures.length === 0,
      unchanged: false,
      rolledBack: false,
      operations: results,
      undo: [],
      durationMs: performance.now() - started,
      processes: (executor.processCount ?? 0) - processesBefore,
    };
    if (failures.length > 0) {
      const [first, index] = failures[0]!;
      result.error = {
        code: 'teardown.incomplete',
        message:
          `${failures.length} of ${results.length} teardown steps of network '${network}' failed; first: ` +
          `operation ${index} (${describeOperation(first.operation)}): ${first.error?.code}: ${first.error?.message}`,
        operationIndex: index,
      };
    }
    return result;
  });
}

/** Reject what is not a plan before it reaches a host (plans can come from JSON files). */
function checkPlan(plan: Plan): void {
  if (typeof plan !== 'object' || plan === null || plan.version !== 1 || typeof plan.network !== 'string' || plan.network === '' || !Array.isArray(plan.operations)) {
    throw new BackendError('plan.invalid', 'not a version 1 plan with a network name and an operations list');
  }
}

/** What {@link TransactionalBackend} is built from. */
export interface TransactionalBackendOptions {
  name: string;
  executor: OperationExecutor;
  store: StateStore;
  lock: NetworkLock;
  /** Observe the host state of `network`; `plan` is the applied plan on record, if any. */
  inspect: (network: string, plan?: Plan) => Promise<HostState>;
}

/**
 * A {@link Backend} made of an executor plus the shared engine: what both the mock and the Linux
 * backend are.
 *
 * @example
 * ```ts
 * const backend = new TransactionalBackend({ name: 'mine', executor, store: new MemoryStateStore(), lock: new NetworkLock(), inspect });
 * await backend.apply(plan);
 * ```
 */
export class TransactionalBackend implements Backend {
  readonly name: string;
  readonly executor: OperationExecutor;
  readonly store: StateStore;
  readonly lock: NetworkLock;
  private readonly inspectHost: TransactionalBackendOptions['inspect'];

  constructor(options: TransactionalBackendOptions) {
    this.name = options.name;
    this.executor = options.executor;
    this.store = options.store;
    this.lock = options.lock;
    this.inspectHost = options.inspect;
  }

  apply(plan: Plan): Promise<ApplyResult> {
    return applyPlan(this.executor, plan, this.store, this.lock);
  }

  teardown(target: Plan | string): Promise<ApplyResult> {
    return teardownNetwork(this.executor, target, this.store, this.lock);
  }

  async inspect(network: string): Promise<HostState> {
    const plan = await this.store.get(network);
    const state = await this.inspectHost(network, plan);
    state.active = plan !== undefined;
    if (plan === undefined) delete state.plan;
    else state.plan = plan;
    return state;
  }
}
