/**
 * Small JSON files that keep facts about the host for the rest of the boot, so that each
 * `virtnet` process (a CLI call is a fresh one) need not find them out again: whether the kernel
 * has tc's csum action, which of libvirt's iptables chains exist in a namespace. A file is only
 * trusted while its guard holds: the boot id (/proc/sys/kernel/random/boot_id) and, for facts
 * about a network namespace, that namespace's identity (device and inode of its nsfs file).
 *
 * These are caches: writing is best effort and atomic (temporary file + rename, so a reader sees
 * the old file or the new one), and a caller must stay correct when a file is missing, unreadable
 * or out of date.
 *
 * @module
 */
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a cache file must match to be trusted: the boot id, and optionally more (a namespace identity). */
export type FactGuard = Readonly<Record<string, string>>;

let bootIdValue: Promise<string> | undefined;

/** This boot's id, `''` when it cannot be read (then nothing is cached). */
export function bootId(): Promise<string> {
  bootIdValue ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  return bootIdValue;
}

/**
 * The identity of a network namespace: `dev:inode` of `/run/netns/NAME` (the bind mount
 * `ip netns add` makes), or of `/proc/self/ns/net` for the namespace this process is in;
 * undefined when it cannot be read. A namespace deleted and re-created under the same name gets a
 * new identity, though the kernel may hand out a freed inode number again: facts about a namespace
 * must therefore be ones whose staleness a caller notices and recovers from.
 *
 * @example
 * ```ts
 * await namespaceIdentity('vnt-1-host'); // '4:4026532176'
 * ```
 */
export async function namespaceIdentity(netns?: string): Promise<string | undefined> {
  try {
    const s = await stat(netns === undefined ? '/proc/self/ns/net' : `/run/netns/${netns}`);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The facts of a cache file when its guard is exactly `guard` plus this boot's id; undefined when
 * there is no file, it is unreadable, it was written in another boot or for another guard.
 * `accept` checks the facts' shape (a file may be damaged or from another version).
 *
 * @example
 * ```ts
 * const facts = await readFactCache('/run/virtnet/kernel-features.json', {}, (v) => (typeof v === 'object' ? v : undefined));
 * ```
 */
export async function readFactCache<T>(path: string, guard: FactGuard, accept: (facts: unknown) => T | undefined): Promise<T | undefined> {
  const boot = await bootId();
  if (boot === '') return undefined;
  let content: { guard?: Record<string, unknown>; facts?: unknown };
  try {
    content = JSON.parse(await readFile(path, 'utf8')) as typeof content;
  } catch {
    return undefined;
  }
  const want: Record<string, string> = { ...guard, bootId: boot };
  const have = content?.guard;
  if (typeof have !== 'object' || have === null) return undefined;
  const keys = Object.keys(want);
  if (Object.keys(have).length !== keys.length || keys.some((k) => have[k] !== want[k])) return undefined;
  return accept(content.facts);
}

/**
 * Write a cache file atomically (mode 0644, folders created 0755), guarded by `guard` plus this
 * boot's id. Never throws: a cache that cannot be written is only a cache.
 */
export async function writeFactCache(path: string, guard: FactGuard, facts: unknown): Promise<void> {
  const boot = await bootId();
  if (boot === '') return;
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(temp, `${JSON.stringify({ guard: { ...guard, bootId: boot }, facts })}\n`, { mode: 0o644 });
    await rename(temp, path);
  } catch {
    await unlink(temp).catch(() => undefined);
  }
}

/** Remove a cache file (gone already is fine). Never throws. */
export async function dropFactCache(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
