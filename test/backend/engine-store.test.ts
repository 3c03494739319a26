import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/compile/plan.js';
import { decodeNetworkFileName, encodeNetworkFileName, FileStateStore, MemoryStateStore } from '../../src/backend/state-store.js';

const plan = (network: string): Plan => ({
  version: 1,
  network,
  forwardMode: 'none',
  firewallBackend: 'iptables',
  operations: [{ kind: 'link.create-bridge', name: 'virbr5', stp: false, forwardDelay: 0 }],
});

describe('MemoryStateStore', () => {
  it('stores copies: changing a returned or stored plan does not change the record', async () => {
    const store = new MemoryStateStore();
    const p = plan('a');
    await store.set('a', p);
    p.operations.length = 0;
    const got = (await store.get('a'))!;
    expect(got.operations).toHaveLength(1);
    got.network = 'changed';
    expect((await store.get('a'))!.network).toBe('a');
    await store.set('b', plan('b'));
    expect(await store.list()).toEqual(['a', 'b']);
    await store.delete('a');
    await store.delete('a');
    expect(await store.list()).toEqual(['b']);
  });
});

describe('network names as file names', () => {
  it('encodes everything but [A-Za-z0-9_-] so no name can leave the directory, and decodes back', () => {
    expect(encodeNetworkFileName('default')).toBe('default');
    expect(encodeNetworkFileName('..')).toBe('%2E%2E');
    expect(encodeNetworkFileName('../../etc/passwd')).toBe('%2E%2E%2F%2E%2E%2Fetc%2Fpasswd');
    expect(encodeNetworkFileName('été')).toBe('%C3%A9t%C3%A9');
    for (const name of ['default', '..', 'a/b', 'with space', 'été', '%41', 'x.json']) {
      expect(decodeNetworkFileName(encodeNetworkFileName(name))).toBe(name);
    }
    expect(decodeNetworkFileName('%41')).toBeUndefined(); // not what the encoder writes for 'A'
    expect(decodeNetworkFileName('a.b')).toBeUndefined();
    expect(() => encodeNetworkFileName('')).toThrow(expect.objectContaining({ code: 'state.invalid-name' }));
  });
});

describe('FileStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtnet-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips plans as 0600 JSON files, lists and deletes them', async () => {
    const store = new FileStateStore(join(dir, 'state'));
    expect(await store.list()).toEqual([]);
    expect(await store.get('default')).toBeUndefined();
    await store.set('default', plan('default'));
    await store.set('../evil', plan('../evil'));
    expect(await store.get('default')).toEqual(plan('default'));
    expect(await store.get('../evil')).toEqual(plan('../evil'));
    expect((await readdir(join(dir, 'state'))).sort()).toEqual(['%2E%2E%2Fevil.json', 'default.json']);
    expect(await readdir(dir)).toEqual(['state']); // nothing escaped
    expect((await stat(join(dir, 'state', 'default.json'))).mode & 0o777).toBe(0o600);
    expect(await store.list()).toEqual(['../evil', 'default']);
    await store.delete('default');
    await store.delete('default');
    expect(await store.list()).toEqual(['../evil']);
  });

  it('replaces a record atomically and ignores stray temporary files', async () => {
    const store = new FileStateStore(dir);
    await store.set('n', plan('n'));
    const next = { ...plan('n'), forwardMode: 'nat' as const };
    await store.set('n', next);
    expect(JSON.parse(await readFile(join(dir, 'n.json'), 'utf8'))).toEqual(next);
    await writeFile(join(dir, 'n.json.tmp-1-abc'), '{');
    expect(await store.list()).toEqual(['n']);
  });

  it('reports a damaged record with state.corrupt instead of crashing', async () => {
    const store = new FileStateStore(dir);
    await writeFile(join(dir, 'bad.json'), '{"version":1,');
    await expect(store.get('bad')).rejects.toMatchObject({ code: 'state.corrupt' });
    await writeFile(join(dir, 'other.json'), JSON.stringify(plan('someone-else')));
    await expect(store.get('other')).rejects.toMatchObject({ code: 'state.corrupt', message: expect.stringContaining("network 'other'") });
  });

  it('refuses names too long for a file name', async () => {
    const store = new FileStateStore(dir);
    await expect(store.set('/'.repeat(100), plan('x'))).rejects.toMatchObject({ code: 'state.invalid-name' });
  });
});
