/**
 * Per-network mutual exclusion, so two applies (or an apply and a teardown) of one network never
 * interleave: an in-process queue, plus an optional lock file for other processes.
 *
 * @module
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { BackendError, encodeNetworkFileName } from './state-store.js';

/** Options of {@link NetworkLock}. */
export interface NetworkLockOptions {
  /**
   * Directory for cross-process lock files (`<dir>/<encoded name>.lock`, holding the owner's pid).
   * Absent: the lock only orders callers inside this process.
   */
  dir?: string;
  /** Give up waiting for another process after this long (default 30 s): `lock.timeout`. */
  timeoutMs?: number;
}

/** Queues shared by every lock on the same directory, so two instances in one process agree. */
const sharedQueues = new Map<string, Map<string, Promise<void>>>();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether a process with this pid exists (EPERM means it exists but is not ours). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Per-network mutual exclusion. Callers of {@link NetworkLock.run} for the same network run one
 * after the other, in call order; different networks run in parallel.
 *
 * With `dir`, a lock file created with `O_EXCL` also excludes other processes. A lock file whose
 * pid no longer exists is stale (its owner crashed) and is removed; removal is itself guarded by a
 * `.break` file so two waiters can never both remove and then both take the lock.
 *
 * @example
 * ```ts
 * const lock = new NetworkLock({ dir: '/run/virtnet/locks' });
 * await lock.run('default', async () => { ... });
 * ```
 */
export class NetworkLock {
  private readonly queues: Map<string, Promise<void>>;
  private readonly dir: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: NetworkLockOptions = {}) {
    this.dir = options.dir === undefined ? undefined : resolve(options.dir);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (this.dir === undefined) {
      this.queues = new Map();
    } else {
      let queues = sharedQueues.get(this.dir);
      if (!queues) sharedQueues.set(this.dir, (queues = new Map()));
      this.queues = queues;
    }
  }

  /** Run `task` while holding the lock of `network`; the lock is released however `task` ends. */
  async run<T>(network: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(network) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.queues.set(network, tail);
    await previous;
    try {
      const lockFile = this.dir === undefined ? undefined : await this.acquireFile(network);
      try {
        return await task();
      } finally {
        if (lockFile !== undefined) await unlink(lockFile).catch(() => undefined);
      }
    } finally {
      release();
      if (this.queues.get(network) === tail) this.queues.delete(network);
    }
  }

  private async acquireFile(network: string): Promise<string> {
    const dir = this.dir!;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${encodeNetworkFileName(network)}.lock`);
    const deadline = Date.now() + this.timeoutMs;
    let wait = 5;
    for (;;) {
      if (await createExclusive(path, `${process.pid}\n`)) return path;
      await this.breakIfStale(path);
      if (Date.now() > deadline) {
        throw new BackendError('lock.timeout', `timed out after ${this.timeoutMs} ms waiting for lock ${path} of network '${network}'`);
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 100);
    }
  }

  /** Remove `path` if its owner is gone, serialised by `<path>.break` (itself stale after 10 s). */
  private async breakIfStale(path: string): Promise<void> {
    const breaker = `${path}.break`;
    if (!(await createExclusive(breaker, `${process.pid}\n`))) {
      const age = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 10_000) await unlink(breaker).catch(() => undefined);
      return;
    }
    try {
      const owner = await readOwner(path);
      // Our own pid in a file we do not hold (the in-process queue lets one holder through) is a
      // leftover from an earlier process that had the same pid.
      if (owner !== undefined && (owner === 'unreadable' || owner === process.pid || !processAlive(owner))) {
        await unlink(path).catch(() => undefined);
      }
    } finally {
      await unlink(breaker).catch(() => undefined);
    }
  }
}

/** Create a file that must not exist yet; false when it does. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The pid in a lock file; `undefined` if it vanished, 'unreadable' if it holds no pid (a torn write, old enough to judge). */
async function readOwner(path: string): Promise<number | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (Number.isInteger(pid) && pid > 0) return pid;
  // The owner writes its pid right after creating the file: give it a second before judging.
  const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
  return age > 1_000 ? 'unreadable' : undefined;
}
