import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile/index.js';
import { defineNetwork } from '../../src/model/index.js';

const open = defineNetwork({
  name: 'lab',
  forward: { mode: 'nat' },
  ips: [{ address: '10.9.0.1', prefix: 24 }],
});

function createOp(plan: ReturnType<typeof compileNetwork>) {
  const op = plan.operations.find((o) => o.kind === 'link.create-bridge');
  if (op?.kind !== 'link.create-bridge') throw new Error('no bridge');
  return op;
}

describe('compileNetwork with a previous plan', () => {
  it('a document without name, MAC and UUID compiles to a new identity each time', () => {
    const a = compileNetwork(open, { usedBridgeNames: ['virbr0'] });
    const b = compileNetwork(open, { usedBridgeNames: ['virbr0', 'virbr1'] });
    expect(a.bridge).toBe('virbr1');
    expect(b.bridge).toBe('virbr2');
    expect(createOp(a).mac).not.toBe(createOp(b).mac);
  });

  it('keeps the bridge name, MAC and UUID the previous plan chose', () => {
    const first = compileNetwork({ ...open, uuid: undefined }, { usedBridgeNames: ['virbr0'] });
    const previous = { ...first, uuid: '6a3f0c2e-1d2b-4c5e-9f80-112233445566' };
    // The first plan's bridge is now taken on the host; the previous plan still wins.
    const again = compileNetwork(open, { usedBridgeNames: ['virbr0', 'virbr1'], previous });
    expect(again.bridge).toBe('virbr1');
    expect(createOp(again).mac).toBe(createOp(first).mac);
    expect(again.uuid).toBe(previous.uuid);
    expect(again.operations).toEqual(first.operations);
  });

  it('what the document states wins over the previous plan', () => {
    const previous = compileNetwork(open, { usedBridgeNames: [] });
    const named = compileNetwork(
      { ...open, bridge: { name: 'br-lab' }, mac: '52:54:00:01:02:03' as never, uuid: '0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6' as never },
      { previous },
    );
    expect(named.bridge).toBe('br-lab');
    expect(createOp(named).mac).toBe('52:54:00:01:02:03');
    expect(named.uuid).toBe('0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6');
  });

  it('ignores a previous plan of another network', () => {
    const previous = { ...compileNetwork(open, { usedBridgeNames: [] }), network: 'other' };
    const plan = compileNetwork(open, { usedBridgeNames: ['virbr0'], previous });
    expect(plan.bridge).toBe('virbr1');
  });
});
