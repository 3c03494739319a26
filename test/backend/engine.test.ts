import { describe, expect, it } from 'vitest';
import type { Operation, Plan } from '../../src/compile/plan.js';
import { teardownPlan } from '../../src/compile/inverse.js';
import { alreadyGone, applyPlan, plansEqual, teardownNetwork, TransactionalBackend } from '../../src/backend/engine.js';
import { NetworkLock } from '../../src/backend/lock.js';
import { MemoryStateStore } from '../../src/backend/state-store.js';
import { HostError, type ExecutedStep, type OperationExecutor } from '../../src/backend/types.js';

/** A write of a made-up sysctl: easy to tell apart, and its undo is another such write. */
const op = (n: number): Operation => ({ kind: 'sysctl.set', key: `test.k${n}`, value: '1', keepOnTeardown: false });
const undoOf = (o: Operation): Operation => ({ kind: 'sysctl.set', key: (o as { key: string }).key, value: 'undo', keepOnTeardown: false });

function planOf(network: string, count: number, extra: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    network,
    bridge: 'virbr9',
    forwardMode: 'nat',
    firewallBackend: 'nftables',
    operations: Array.from({ length: count }, (_, i) => op(i)),
    ...extra,
  };
}

/** An executor that runs nothing, records every call, fails where told and can be slow. */
class ScriptedExecutor implements OperationExecutor {
  calls: Array<{ operations: Operation[]; continueOnError: boolean }> = [];
  processCount = 0;
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly failing: (o: Operation) => string | undefined = () => undefined,
    private readonly delayMs = 0,
  ) {}
  async execute(operations: readonly Operation[], options: { continueOnError?: boolean } = {}): Promise<ExecutedStep[]> {
    this.calls.push({ operations: [...operations], continueOnError: options.continueOnError ?? false });
    this.processCount++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      const steps: ExecutedStep[] = [];
      for (const o of operations) {
        const code = this.failing(o);
        if (code) {
          steps.push({ operation: o, ok: false, undo: [], error: new HostError(code, `boom ${code}`, o), durationMs: 0 });
          if (!options.continueOnError) break;
        } else {
          steps.push({ operation: o, ok: true, undo: [undoOf(o)], durationMs: 0 });
        }
      }
      return steps;
    } finally {
      this.inFlight--;
    }
  }
}

const keyOf = (o: Operation) => (o as { key: string }).key;

describe('applyPlan', () => {
  it('runs every operation, records the plan and reports timing and processes', async () => {
    const executor = new ScriptedExecutor();
    const store = new MemoryStateStore();
    const plan = planOf('n1', 4);
    const result = await applyPlan(executor, plan, store, new NetworkLock());
    expect(result.ok).toBe(true);
    expect(result.unchanged).toBe(false);
    expect(result.rolledBack).toBe(false);
    expect(result.operations.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(result.processes).toBe(1);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(await store.get('n1')).toEqual(plan);
  });

  it('re-applying an equal plan runs nothing and says unchanged (key order and undefined keys do not matter)', async () => {
    const executor = new ScriptedExecutor();
    const store = new MemoryStateStore();
    const lock = new NetworkLock();
    await applyPlan(executor, planOf('n1', 3), store, lock);
    const reordered = Object.fromEntries(Object.entries(planOf('n1', 3)).reverse()) as unknown as Plan;
    expect(Object.keys(reordered)[0]).toBe('operations');
    const again = await applyPlan(executor, { ...reordered, uuid: undefined }, store, lock);
    expect(again).toMatchObject({ ok: true, unchanged: true, operations: [], processes: 0 });
    expect(executor.calls).toHaveLength(1);
  });

  it('refuses a different plan for an active network with network.active and runs nothing', async () => {
    const executor = new ScriptedExecutor();
    const store = new MemoryStateStore();
    const lock = new NetworkLock();
    await applyPlan(executor, planOf('n1', 3), store, lock);
    const result = await applyPlan(executor, planOf('n1', 4), store, lock);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('network.active');
    expect(result.error?.message).toContain("network 'n1' is already active");
    expect(executor.calls).toHaveLength(1);
    expect((await store.get('n1'))?.operations).toHaveLength(3);
  });

  it('on a failure undoes the done steps in reverse order and reports which step failed', async () => {
    const executor = new ScriptedExecutor((o) => (keyOf(o) === 'test.k3' ? 'EEXIST' : undefined));
    const store = new MemoryStateStore();
    const result = await applyPlan(executor, planOf('n1', 6), store, new NetworkLock());
    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(true);
    expect(result.error).toMatchObject({ code: 'EEXIST', operationIndex: 3 });
    expect(result.error?.message).toContain('operation 3 (sysctl test.k3=1)');
    expect(result.operations.map((r) => r.status)).toEqual(['undone', 'undone', 'undone', 'failed', 'skipped', 'skipped']);
    expect(result.operations[3]!.error).toEqual({ code: 'EEXIST', message: 'boom EEXIST' });
    expect(result.undo.map((r) => [keyOf(r.operation), r.status])).toEqual([
      ['test.k2', 'undone'],
      ['test.k1', 'undone'],
      ['test.k0', 'undone'],
    ]);
    expect(executor.calls[1]).toEqual({ operations: [undoOf(op(2)), undoOf(op(1)), undoOf(op(0))], continueOnError: true });
    expect(result.processes).toBe(2);
    expect(await store.get('n1')).toBeUndefined();
  });

  it('a failure at the first step undoes nothing and still rolls back cleanly', async () => {
    const executor = new ScriptedExecutor((o) => (keyOf(o) === 'test.k0' ? 'EIO' : undefined));
    const result = await applyPlan(executor, planOf('n1', 2), new MemoryStateStore(), new NetworkLock());
    expect(result).toMatchObject({ ok: false, rolledBack: true, undo: [], error: { code: 'EIO', operationIndex: 0 } });
    expect(executor.calls).toHaveLength(1);
  });

  it('reports an undo step that fails: rolledBack false, and the step it belonged to', async () => {
    const executor = new ScriptedExecutor((o) => {
      const s = o as { key: string; value: string };
      if (s.key === 'test.k2' && s.value === '1') return 'EIO';
      if (s.key === 'test.k0' && s.value === 'undo') return 'EPERM';
      return undefined;
    });
    const result = await applyPlan(executor, planOf('n1', 3), new MemoryStateStore(), new NetworkLock());
    expect(result.rolledBack).toBe(false);
    expect(result.operations.map((r) => r.status)).toEqual(['undo-failed', 'undone', 'failed']);
    expect(result.undo.map((r) => r.status)).toEqual(['undone', 'undo-failed']);
    expect(result.undo[1]!.error?.code).toBe('EPERM');
  });

  it('goes on past a failed route.add with ignoreErrors, as libvirt does, marking it ignored', async () => {
    const route: Operation = { kind: 'route.add', dev: 'virbr9', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '192.168.1.2', ignoreErrors: true };
    const plan = planOf('n1', 3);
    plan.operations.splice(1, 0, route);
    const executor = new ScriptedExecutor((o) => (o.kind === 'route.add' ? 'ENETUNREACH' : undefined));
    const result = await applyPlan(executor, plan, new MemoryStateStore(), new NetworkLock());
    expect(result.ok).toBe(true);
    expect(result.operations.map((r) => r.status)).toEqual(['done', 'ignored', 'done', 'done']);
    expect(result.operations[1]!.error?.code).toBe('ENETUNREACH');
    // The executor stopped at the failure; the engine resumed with the rest.
    expect(executor.calls.map((c) => c.operations.length)).toEqual([4, 2]);
  });

  it('turns an executor that throws into a failed step and undoes what it reported done', async () => {
    let call = 0;
    const executor: OperationExecutor = {
      async execute(operations) {
        call++;
        if (call === 1) throw new Error('spawn ip ENOENT');
        return operations.map((o) => ({ operation: o, ok: true, undo: [], durationMs: 0 }));
      },
    };
    const result = await applyPlan(executor, planOf('n1', 2), new MemoryStateStore(), new NetworkLock());
    expect(result).toMatchObject({ ok: false, rolledBack: true, error: { code: 'EEXECUTOR', operationIndex: 0 } });
    expect(result.error?.message).toContain('spawn ip ENOENT');
    expect(result.operations.map((r) => r.status)).toEqual(['failed', 'skipped']);
  });

  it('undoes steps an executor ran past a failure, too', async () => {
    const sloppy: OperationExecutor = {
      async execute(operations, options) {
        if (options?.continueOnError) return operations.map((o) => ({ operation: o, ok: true, undo: [], durationMs: 0 }));
        return operations.map((o, i) =>
          i === 1
            ? { operation: o, ok: false, undo: [], error: new HostError('EIO', 'boom', o), durationMs: 0 }
            : { operation: o, ok: true, undo: [undoOf(o)], durationMs: 0 },
        );
      },
    };
    const result = await applyPlan(sloppy, planOf('n1', 3), new MemoryStateStore(), new NetworkLock());
    expect(result.error?.operationIndex).toBe(1);
    expect(result.operations.map((r) => r.status)).toEqual(['undone', 'failed', 'undone']);
    expect(result.undo.map((r) => keyOf(r.operation))).toEqual(['test.k2', 'test.k0']);
  });

  it('undoes everything when the plan cannot be recorded', async () => {
    const executor = new ScriptedExecutor();
    const store = new MemoryStateStore();
    store.set = async () => {
      throw new Error('disk full');
    };
    const result = await applyPlan(executor, planOf('n1', 2), store, new NetworkLock());
    expect(result).toMatchObject({ ok: false, rolledBack: true, error: { code: 'state.write-failed' } });
    expect(result.operations.map((r) => r.status)).toEqual(['undone', 'undone']);
  });

  it('refuses what is not a plan with a typed error before touching the host', async () => {
    const executor = new ScriptedExecutor();
    await expect(applyPlan(executor, { network: '' } as Plan, new MemoryStateStore(), new NetworkLock())).rejects.toMatchObject({ code: 'plan.invalid' });
    expect(executor.calls).toHaveLength(0);
  });

  it('serialises two concurrent applies of one network (the second sees the first and is unchanged)', async () => {
    const executor = new ScriptedExecutor(undefined, 40);
    const store = new MemoryStateStore();
    const lock = new NetworkLock();
    const plan = planOf('n1', 3);
    const [a, b] = await Promise.all([applyPlan(executor, plan, store, lock), applyPlan(executor, plan, store, lock)]);
    expect(executor.maxInFlight).toBe(1);
    expect(executor.calls).toHaveLength(1);
    expect([a.unchanged, b.unchanged]).toEqual([false, true]);
  });

  it('serialises an apply and a teardown of one network in call order', async () => {
    const executor = new ScriptedExecutor(undefined, 30);
    const store = new MemoryStateStore();
    const lock = new NetworkLock();
    const plan = planOf('n1', 2);
    const [applied, torn] = await Promise.all([applyPlan(executor, plan, store, lock), teardownNetwork(executor, 'n1', store, lock)]);
    expect(applied.ok).toBe(true);
    expect(torn.unchanged).toBe(false); // it waited for the apply and found the network
    expect(executor.maxInFlight).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  it('runs different networks in parallel', async () => {
    const executor = new ScriptedExecutor(undefined, 40);
    const store = new MemoryStateStore();
    const lock = new NetworkLock();
    await Promise.all([applyPlan(executor, planOf('a', 1), store, lock), applyPlan(executor, planOf('b', 1), store, lock)]);
    expect(executor.maxInFlight).toBe(2);
    expect(await store.list()).toEqual(['a', 'b']);
  });
});

describe('teardownNetwork', () => {
  const realPlan: Plan = {
    version: 1,
    network: 'n1',
    bridge: 'virbr9',
    forwardMode: 'nat',
    firewallBackend: 'nftables',
    operations: [
      { kind: 'link.create-bridge', name: 'virbr9', stp: true, forwardDelay: 0 },
      { kind: 'address.add', dev: 'virbr9', family: 'ipv4', address: '10.9.0.1', prefix: 24, broadcast: '10.9.0.255' },
      { kind: 'link.set-state', dev: 'virbr9', up: true },
      { kind: 'sysctl.set', key: 'net.ipv4.ip_forward', value: '1', keepOnTeardown: true },
    ],
  };

  it('a network that is not active is unchanged and nothing runs', async () => {
    const executor = new ScriptedExecutor();
    const result = await teardownNetwork(executor, 'nope', new MemoryStateStore(), new NetworkLock());
    expect(result).toMatchObject({ ok: true, unchanged: true, operations: [] });
    expect(executor.calls).toHaveLength(0);
  });

  it('by name runs teardownPlan of the recorded plan, carrying on past errors, then forgets the network', async () => {
    const executor = new ScriptedExecutor((o) => (o.kind === 'link.set-state' ? 'EBUSY' : undefined));
    const store = new MemoryStateStore();
    await store.set('n1', realPlan);
    const result = await teardownNetwork(executor, 'n1', store, new NetworkLock());
    expect(executor.calls).toEqual([{ operations: teardownPlan(realPlan), continueOnError: true }]);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('teardown.incomplete');
    expect(result.error?.message).toContain('1 of 2 teardown steps');
    expect(result.operations.map((r) => r.status)).toEqual(['failed', 'done']);
    expect(await store.get('n1')).toBeUndefined();
  });

  it('counts a removal whose target is already gone as done', async () => {
    const executor = new ScriptedExecutor((o) => (o.kind === 'link.delete' ? 'ENODEV' : undefined));
    const store = new MemoryStateStore();
    await store.set('n1', realPlan);
    const result = await teardownNetwork(executor, realPlan, store, new NetworkLock());
    expect(result.ok).toBe(true);
    expect(result.operations.map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('alreadyGone knows the not-found code of each removal, and nothing else', () => {
    expect(alreadyGone({ kind: 'address.delete', dev: 'b', family: 'ipv6', address: '::1', prefix: 64 }, 'EADDRNOTAVAIL')).toBe(true);
    expect(alreadyGone({ kind: 'route.delete', dev: 'b', family: 'ipv4', destination: '10.0.0.0', prefix: 8, gateway: '1.1.1.1' }, 'ESRCH')).toBe(true);
    expect(alreadyGone({ kind: 'dir.remove', path: '/x' }, 'ENOTEMPTY')).toBe(true);
    expect(alreadyGone({ kind: 'file.remove', path: '/x' }, 'EACCES')).toBe(false);
    expect(alreadyGone({ kind: 'link.set-state', dev: 'b', up: true }, 'ENODEV')).toBe(false);
    expect(alreadyGone({ kind: 'firewall.remove', backend: 'iptables', network: 'n', bridge: 'b', rules: { bridge: 'b', rules: [] } }, 'ECOMMAND')).toBe(false);
  });
});

describe('plansEqual', () => {
  it('compares deeply, ignoring key order and undefined keys', () => {
    expect(plansEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(plansEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(plansEqual([1, 2], [2, 1])).toBe(false);
    expect(plansEqual({ a: [] }, { a: {} })).toBe(false);
    expect(plansEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
  });
});

describe('TransactionalBackend', () => {
  it('fills active and plan into what inspect reports', async () => {
    const backend = new TransactionalBackend({
      name: 'scripted',
      executor: new ScriptedExecutor(),
      store: new MemoryStateStore(),
      lock: new NetworkLock(),
      inspect: async (network) => ({ network, active: false, links: [], addresses: [], routes: [], sysctls: {}, firewall: { backend: 'nftables', rules: [] }, files: [] }),
    });
    expect((await backend.inspect('n1')).active).toBe(false);
    await backend.apply(planOf('n1', 1));
    const state = await backend.inspect('n1');
    expect(state.active).toBe(true);
    expect(state.plan?.network).toBe('n1');
    expect((await backend.teardown('n1')).ok).toBe(true);
    expect((await backend.inspect('n1')).active).toBe(false);
  });
});
