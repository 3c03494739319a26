/**
 * nft rule handles from apply to teardown, without a real host: the mock's fake kernel hands out
 * handles and catches a wrong one; the engine keeps them with the network's record; the stores
 * keep them (and still read records written before); `teardownPlan` uses only what a recorded
 * inverse may add.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MockBackend } from '../../src/backend/mock/backend.js';
import { MockHost } from '../../src/backend/mock/host.js';
import { FileStateStore, MemoryStateStore, type AppliedFacts } from '../../src/backend/state-store.js';
import { compileNetwork } from '../../src/compile/compile.js';
import { inverseOf, teardownPlan } from '../../src/compile/inverse.js';
import type { AddFirewallOp, Plan, RemoveFirewallOp } from '../../src/compile/plan.js';
import { parseNetwork } from '../../src/xml/parse.js';

const DEFAULT_XML = readFileSync(new URL('../../examples/networks/default.xml', import.meta.url), 'utf8');
const SECOND_XML = `<network><name>second</name><bridge name='virbr1'/><forward/><ip address='192.168.123.1' netmask='255.255.255.0'/></network>`;

const nft = (xml: string): Plan => compileNetwork(parseNetwork(xml), { firewallBackend: 'nftables' });
const addOf = (plan: Plan) => plan.operations.find((op): op is AddFirewallOp => op.kind === 'firewall.add')!;
const indexOfAdd = (plan: Plan) => plan.operations.findIndex((op) => op.kind === 'firewall.add');

const temp: string[] = [];
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

describe('mock fake kernel: nft handles', () => {
  it('an add returns its removal with one fresh handle per nft rule; removal by handle deletes exactly those', () => {
    const host = new MockHost();
    host.apply({ kind: 'link.create-bridge', name: 'virbr0', stp: true, forwardDelay: 0 });
    const before = host.snapshot();
    const add = addOf(nft(DEFAULT_XML));
    const [undo] = host.apply(add) as [RemoveFirewallOp];
    expect(undo.handles).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(host.apply(undo)).toEqual([{ kind: 'firewall.add', backend: 'nftables', network: 'default', bridge: 'virbr0', rules: add.rules }]);
    expect(host.snapshot()).toEqual(before);
    // Handles are never handed out twice.
    expect((host.apply(add)[0] as RemoveFirewallOp).handles).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('a handle that names another rule fails loudly; a handle that is gone falls back to the rules\' text', () => {
    const host = new MockHost();
    host.apply({ kind: 'link.create-bridge', name: 'virbr0', stp: true, forwardDelay: 0 });
    host.apply({ kind: 'link.create-bridge', name: 'virbr1', stp: true, forwardDelay: 0 });
    const first = addOf(nft(DEFAULT_XML));
    const [undo] = host.apply(first) as [RemoveFirewallOp];
    const second = host.apply(addOf(nft(SECOND_XML)))[0] as RemoveFirewallOp;
    const both = host.snapshot();
    const handles = undo.handles!;
    // Rules 0 and 3 both go to guest_output: swapped, each handle names the other's rule.
    const swapped = handles.map((h, i) => (i === 0 ? handles[3]! : i === 3 ? handles[0]! : h));
    expect(() => host.apply({ ...undo, handles: swapped })).toThrow(expect.objectContaining({ code: 'EHANDLE' }));
    // The second network's handles name its rules, in the same chains.
    expect(() => host.apply({ ...undo, handles: second.handles! })).toThrow(expect.objectContaining({ code: 'EHANDLE' }));
    expect(host.snapshot()).toEqual(both);

    const onlySecond = (): string[] => Object.values(host.snapshot().firewall.nftables).flat();
    // Handles of other chains are not found in theirs (nft: No such file or directory): by text.
    host.apply({ ...undo, handles: [...handles].reverse() });
    expect(onlySecond()).toHaveLength(second.handles!.length);
    expect(onlySecond().every((t) => !t.includes('192.168.122.') && !t.includes('"virbr0"'))).toBe(true);
    // 999 never existed: by text too.
    const [again] = host.apply(first) as [RemoveFirewallOp];
    host.apply({ ...again, handles: again.handles!.map((h, i) => (i === 0 ? 999 : h)) });
    expect(onlySecond()).toHaveLength(second.handles!.length);
    expect(onlySecond().every((t) => !t.includes('192.168.122.') && !t.includes('"virbr0"'))).toBe(true);
  });
});

describe('engine: the record keeps the handles for the teardown', () => {
  it('apply records the removal with handles; teardown uses it and leaves the other network alone', async () => {
    const backend = new MockBackend();
    const store = backend.store as MemoryStateStore;
    const first = nft(DEFAULT_XML);
    const second = nft(SECOND_XML);
    const empty = backend.host.snapshot();
    expect((await backend.apply(first)).ok).toBe(true);
    expect((await backend.apply(second)).ok).toBe(true);

    const record = await store.getRecord('default');
    expect(record?.plan).toEqual(first);
    expect(record?.facts?.inverses).toHaveLength(1);
    const recorded = record!.facts!.inverses[0]!;
    expect(recorded.index).toBe(indexOfAdd(first));
    expect((recorded.operation as RemoveFirewallOp).handles).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The plan on record is the plan: re-apply is a no-op.
    expect(await backend.apply(first)).toMatchObject({ ok: true, unchanged: true });

    const before = backend.log.length;
    const stopped = await backend.teardown('default');
    expect(stopped.ok).toBe(true);
    const removal = backend.log.slice(before).find((e) => e.operation.kind === 'firewall.remove')!;
    expect((removal.operation as RemoveFirewallOp).handles).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stopped.operations.find((o) => o.operation.kind === 'firewall.remove')?.status).toBe('done');
    // Only the second network's rules are left.
    const left = Object.values(backend.host.snapshot().firewall.nftables).flat();
    expect(left).toHaveLength(10);
    expect(left.some((t) => t.includes('192.168.122.') || t.includes('"virbr0"'))).toBe(false);
    expect((await backend.teardown('second')).ok).toBe(true);
    expect(backend.host.snapshot().firewall).toEqual(empty.firewall);
  });

  it('a rollback removes the rules by the handles of the add it undoes', async () => {
    const backend = new MockBackend();
    const plan = nft(DEFAULT_XML);
    const empty = backend.host.snapshot();
    backend.failWhen((op) => op.kind === 'dnsmasq.start');
    const result = await backend.apply(plan);
    expect(result).toMatchObject({ ok: false, rolledBack: true });
    const undo = result.undo.find((u) => u.operation.kind === 'firewall.remove')!;
    expect((undo.operation as RemoveFirewallOp).handles).toHaveLength(10);
    expect(undo.status).toBe('undone');
    expect(backend.host.snapshot()).toEqual(empty);
  });

  it('iptables adds record nothing: their teardown is the plan\'s', async () => {
    const backend = new MockBackend();
    const plan = compileNetwork(parseNetwork(DEFAULT_XML), { firewallBackend: 'iptables' });
    expect((await backend.apply(plan)).ok).toBe(true);
    expect(await (backend.store as MemoryStateStore).getRecord('default')).toEqual({ plan });
  });
});

describe('teardownPlan with recorded inverses', () => {
  const plan = nft(DEFAULT_XML);
  const at = indexOfAdd(plan);
  const plain = inverseOf(plan.operations[at]!) as RemoveFirewallOp;
  const removalIn = (ops: ReturnType<typeof teardownPlan>) => ops.find((op): op is RemoveFirewallOp => op.kind === 'firewall.remove')!;

  it('adds the recorded handles to the plan\'s own removal, in the same place', () => {
    const recorded = { index: at, operation: { ...plain, handles: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] } };
    const ops = teardownPlan(plan, [recorded]);
    expect(ops.map((o) => o.kind)).toEqual(teardownPlan(plan).map((o) => o.kind));
    expect(removalIn(ops)).toEqual({ ...plain, handles: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] });
    expect(teardownPlan(plan, [])).toEqual(teardownPlan(plan));
  });

  it('takes nothing else from a record: not its rules, not a record for another operation, network or bridge', () => {
    const otherRules = addOf(nft(SECOND_XML)).rules;
    const withRules = teardownPlan(plan, [{ index: at, operation: { ...plain, rules: otherRules, handles: [1] } }]);
    expect(removalIn(withRules).rules).toEqual(plain.rules);
    expect(removalIn(teardownPlan(plan, [{ index: at + 1, operation: { ...plain, handles: [1] } }])).handles).toBeUndefined();
    expect(removalIn(teardownPlan(plan, [{ index: at, operation: { ...plain, network: 'x', handles: [1] } }])).handles).toBeUndefined();
    expect(removalIn(teardownPlan(plan, [{ index: at, operation: { ...plain, bridge: 'virbr9', handles: [1] } }])).handles).toBeUndefined();
    expect(removalIn(teardownPlan(plan, [{ index: at, operation: { kind: 'link.delete', name: 'virbr0' } }])).handles).toBeUndefined();
  });
});

describe('stores keep the facts', () => {
  const plan = nft(DEFAULT_XML);
  const facts: AppliedFacts = { inverses: [{ index: indexOfAdd(plan), operation: { ...(inverseOf(addOf(plan)) as RemoveFirewallOp), handles: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }] };

  it('FileStateStore: a record with facts round-trips; a plain plan file (written before facts) still reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnt-store-facts-'));
    temp.push(dir);
    const store = new FileStateStore(dir);
    await store.set('default', plan, facts);
    expect(await store.get('default')).toEqual(plan);
    expect(await store.getRecord('default')).toEqual({ plan, facts });
    expect(JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8'))).toMatchObject({ record: 1, plan });
    expect(await store.list()).toEqual(['default']);

    await store.set('default', plan);
    expect(JSON.parse(readFileSync(join(dir, 'default.json'), 'utf8'))).toEqual(plan);
    expect(await store.getRecord('default')).toEqual({ plan });
  });

  it('FileStateStore: damaged facts are dropped, a damaged plan is still an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnt-store-facts-'));
    temp.push(dir);
    const store = new FileStateStore(dir);
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ record: 1, plan, facts: { inverses: 'nope' } }));
    expect(await store.getRecord('default')).toEqual({ plan });
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ record: 1, plan, facts: { inverses: [{ index: 'x', operation: {} }, facts.inverses[0]] } }));
    expect(await store.getRecord('default')).toEqual({ plan, facts });
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ record: 1, plan: { ...plan, network: 'other' }, facts }));
    await expect(store.getRecord('default')).rejects.toMatchObject({ code: 'state.corrupt' });
  });

  it('MemoryStateStore: facts round-trip as copies', async () => {
    const store = new MemoryStateStore();
    await store.set('default', plan, facts);
    const got = (await store.getRecord('default'))!;
    expect(got).toEqual({ plan, facts });
    (got.facts!.inverses[0]!.operation as RemoveFirewallOp).handles!.length = 0;
    expect(await store.getRecord('default')).toEqual({ plan, facts });
  });
});
