import { describe, expect, it } from 'vitest';
import {
  allocateBridgeName,
  bridgeTemplate,
  checkBridgeName,
  MAX_BRIDGE_ID,
  needsBridgeAllocation,
  resolveBridgeName,
} from '../../src/compile/bridge-name.js';
import { CompileError } from '../../src/compile/errors.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CompileError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('bridge name allocation', () => {
  it('takes virbr0 when nothing is used, and the first free id otherwise', () => {
    expect(allocateBridgeName('virbr%d', new Set())).toBe('virbr0');
    expect(allocateBridgeName('virbr%d', new Set(['virbr0', 'virbr1', 'virbr3']))).toBe('virbr2');
  });

  it('allocates when the name is absent or a %d template', () => {
    expect(needsBridgeAllocation(undefined)).toBe(true);
    expect(needsBridgeAllocation('br%d')).toBe(true);
    expect(needsBridgeAllocation('br0')).toBe(false);
    expect(resolveBridgeName(undefined, new Set(['virbr0']))).toBe('virbr1');
    expect(resolveBridgeName('lab%d-x', new Set(['lab0-x']))).toBe('lab1-x');
  });

  it('uses the document template only with exactly one % followed by d, as libvirt', () => {
    expect(bridgeTemplate('br%d')).toBe('br%d');
    expect(bridgeTemplate('a%db%d')).toBe('virbr%d');
    expect(bridgeTemplate('a%%d')).toBe('virbr%d');
    expect(resolveBridgeName('x%dy%d', new Set())).toBe('virbr0');
  });

  it('tries ids 0..256 and then fails with libvirt’s message', () => {
    const used = new Set(Array.from({ length: MAX_BRIDGE_ID }, (_, i) => `virbr${i}`));
    expect(allocateBridgeName('virbr%d', used)).toBe('virbr256');
    used.add('virbr256');
    try {
      allocateBridgeName('virbr%d', used);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      expect((e as CompileError).code).toBe('bridge.name.exhausted');
      expect((e as CompileError).message).toContain('Bridge generation exceeded max id 256');
    }
  });

  it('keeps a fixed name even when it is in the used set (it may be this network’s own bridge)', () => {
    expect(resolveBridgeName('virbr0', new Set(['virbr0']))).toBe('virbr0');
  });
});

describe('bridge name checks', () => {
  it('accepts 15 bytes and refuses 16, counting UTF-8 bytes', () => {
    expect(codeOf(() => checkBridgeName('a'.repeat(15)))).toBe('no error');
    expect(codeOf(() => checkBridgeName('a'.repeat(16)))).toBe('bridge.name.too-long');
    expect(codeOf(() => checkBridgeName('ü'.repeat(8)))).toBe('bridge.name.too-long');
  });

  it('refuses characters unsafe for the kernel or an ip command line', () => {
    for (const bad of ['br 0', 'br/0', 'br:0', "br'0", 'br"0', 'br#0', 'br\\0', 'br\n0', '.', '..', '-br', 'brü']) {
      expect(codeOf(() => checkBridgeName(bad)), bad).toBe('bridge.name.invalid-char');
    }
    expect(codeOf(() => checkBridgeName(''))).toBe('bridge.name.empty');
    expect(codeOf(() => checkBridgeName('br-lan_0.10'))).toBe('no error');
  });

  it('checks an allocated name too (a long template)', () => {
    expect(codeOf(() => resolveBridgeName('averylongnamexy%d', new Set()))).toBe('bridge.name.too-long');
  });
});

describe('bridge name allocation (property)', () => {
  it('always picks the lowest free id', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 41 }), (taken) => {
        const used = new Set(taken.map((id) => `virbr${id}`));
        let lowest = 0;
        while (taken.includes(lowest)) lowest++;
        return allocateBridgeName('virbr%d', used) === `virbr${lowest}`;
      }),
    );
  });
});
