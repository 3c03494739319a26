/**
 * Caches of host facts: trusted only under the guard they were written with (this boot, the same
 * namespace), written atomically, and never an error when missing or damaged.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootId, dropFactCache, namespaceIdentity, readFactCache, writeFactCache } from '../../src/backend/linux/fact-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const asNumber = (f: unknown) => (typeof (f as { n?: unknown } | null)?.n === 'number' ? (f as { n: number }) : undefined);

describe.skipIf(process.platform !== 'linux')('fact cache', () => {
  it('reads back what was written under the same guard, and nothing under another', async () => {
    const path = join(dir, 'sub', 'facts.json');
    await writeFactCache(path, { netns: '4:1' }, { n: 1 });
    expect(await readFactCache(path, { netns: '4:1' }, asNumber)).toEqual({ n: 1 });
    expect(await readFactCache(path, { netns: '4:2' }, asNumber)).toBeUndefined();
    expect(await readFactCache(path, {}, asNumber)).toBeUndefined();
    expect(await readFactCache(path, { netns: '4:1', more: 'x' }, asNumber)).toBeUndefined();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ guard: { netns: '4:1', bootId: await bootId() }, facts: { n: 1 } });
    // No temporary file is left behind.
    expect(readdirSync(join(dir, 'sub'))).toEqual(['facts.json']);
  });

  it('ignores another boot\'s file, a damaged file, facts of the wrong shape, and a missing file', async () => {
    const path = join(dir, 'other.json');
    writeFileSync(path, JSON.stringify({ guard: { bootId: '00000000-0000-0000-0000-000000000000' }, facts: { n: 1 } }));
    expect(await readFactCache(path, {}, asNumber)).toBeUndefined();
    writeFileSync(path, '{"guard":');
    expect(await readFactCache(path, {}, asNumber)).toBeUndefined();
    await writeFactCache(path, {}, { n: 'one' });
    expect(await readFactCache(path, {}, asNumber)).toBeUndefined();
    await dropFactCache(path);
    await dropFactCache(path);
    expect(await readFactCache(path, {}, asNumber)).toBeUndefined();
  });

  it('names namespaces by their nsfs identity', async () => {
    const self = await namespaceIdentity();
    expect(self).toMatch(/^\d+:\d+$/);
    expect(await namespaceIdentity('no-such-namespace-vnt')).toBeUndefined();
  });
});
