/**
 * Where a backend remembers which plan each active network was started with: the record that
 * makes a second apply a no-op and lets `teardown('name')` find what to undo. With the plan it
 * keeps what the host handed back while applying it that the teardown needs and the plan cannot
 * hold ({@link AppliedFacts}: the handles nft gave the network's rules).
 *
 * @module
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedInverse } from '../compile/inverse.js';
import type { Plan } from '../compile/plan.js';

/** A failure of the state store or the lock: a stable `code` plus a readable message. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    /** Stable code: `state.invalid-name`, `state.corrupt`, `lock.timeout`, `plan.invalid`, … */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What applying a plan learnt from the host that its teardown needs: the undo operations the
 * executor returned in place of the plan's own inverses (a nftables `firewall.remove` with the
 * handles of the rules its `firewall.add` inserted), by plan operation index. Only a help: a
 * teardown without them finds the same rules by listing the host.
 */
export interface AppliedFacts {
  inverses: RecordedInverse[];
}

/** A network on record: its plan and, when the apply learnt any, the {@link AppliedFacts}. */
export interface NetworkRecord {
  plan: Plan;
  facts?: AppliedFacts;
}

/**
 * The record of active networks: network name → the plan it was applied with (plus
 * {@link AppliedFacts}). Implementations must return copies (callers may not mutate the record).
 */
export interface StateStore {
  get(network: string): Promise<Plan | undefined>;
  /** Record `plan` (and what applying it learnt, if anything) for `network`, replacing any record. */
  set(network: string, plan: Plan, facts?: AppliedFacts): Promise<void>;
  /**
   * The plan with the facts recorded with it. Optional for stores written before facts existed:
   * the engine then reads {@link StateStore.get} and tears down without them.
   */
  getRecord?(network: string): Promise<NetworkRecord | undefined>;
  delete(network: string): Promise<void>;
  /** Names of the networks on record, sorted. */
  list(): Promise<string[]>;
}

/**
 * The facts of a stored record as far as they have the expected shape; anything else is dropped
 * (they only spare a teardown a listing, so a damaged part must not block it).
 */
function readFacts(value: unknown): AppliedFacts | undefined {
  const inverses = (value as { inverses?: unknown } | null)?.inverses;
  if (!Array.isArray(inverses)) return undefined;
  const kept = inverses.filter(
    (r): r is RecordedInverse =>
      typeof r === 'object' && r !== null && Number.isSafeInteger((r as RecordedInverse).index) && typeof (r as RecordedInverse).operation === 'object' && (r as RecordedInverse).operation !== null,
  );
  return kept.length > 0 ? { inverses: kept } : undefined;
}

/**
 * A {@link StateStore} in memory (the mock backend's, and for tests). Plans are stored as JSON
 * text, so a stored plan can never be changed through a reference the caller kept.
 *
 * @example
 * ```ts
 * const store = new MemoryStateStore();
 * await store.set('default', plan);
 * (await store.list()); // ['default']
 * ```
 */
export class MemoryStateStore implements StateStore {
  private readonly plans = new Map<string, string>();

  async get(network: string): Promise<Plan | undefined> {
    return (await this.getRecord(network))?.plan;
  }

  async getRecord(network: string): Promise<NetworkRecord | undefined> {
    const text = this.plans.get(network);
    return text === undefined ? undefined : (JSON.parse(text) as NetworkRecord);
  }

  async set(network: string, plan: Plan, facts?: AppliedFacts): Promise<void> {
    const record: NetworkRecord = facts !== undefined && facts.inverses.length > 0 ? { plan, facts } : { plan };
    this.plans.set(network, JSON.stringify(record));
  }

  async delete(network: string): Promise<void> {
    this.plans.delete(network);
  }

  async list(): Promise<string[]> {
    return [...this.plans.keys()].sort();
  }
}

/** Longest file name most Linux file systems accept. */
const NAME_MAX = 255;

/**
 * Turn a network name into a file name stem that can never leave its directory: every byte
 * outside `[A-Za-z0-9_-]` becomes `%XX` (so `/`, `.` and `..` cannot survive), and the empty name
 * is refused. Reversible with {@link decodeNetworkFileName}.
 *
 * @example
 * ```ts
 * encodeNetworkFileName('../etc'); // '%2E%2E%2Fetc'
 * ```
 */
export function encodeNetworkFileName(network: string): string {
  if (network.length === 0) throw new BackendError('state.invalid-name', 'a network name must not be empty');
  let out = '';
  for (const byte of Buffer.from(network, 'utf8')) {
    const safe =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte === 0x2d;
    out += safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link encodeNetworkFileName}; `undefined` for a name it could not have produced. */
export function decodeNetworkFileName(stem: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(stem)) return undefined;
  try {
    const name = decodeURIComponent(stem);
    return encodeNetworkFileName(name) === stem ? name : undefined;
  } catch {
    return undefined;
  }
}

const SUFFIX = '.json';

/** The file form of a record with facts; a record without facts is the plan itself, as always. */
interface RecordFile {
  record: 1;
  plan: Plan;
  facts: AppliedFacts;
}

/**
 * A {@link StateStore} of JSON files, one per network (`<dir>/<encoded name>.json`, mode 0600).
 * A file holds the plan, or, when the apply learnt {@link AppliedFacts},
 * `{ "record": 1, "plan": …, "facts": … }`; both are read. Writes are atomic (temporary file,
 * fsync, rename), so a crash leaves the old record or the new one, never half of one. The
 * directory is created on first write.
 *
 * @example
 * ```ts
 * const store = new FileStateStore('/run/virtnet/networks');
 * await store.set('default', plan);
 * ```
 */
export class FileStateStore implements StateStore {
  constructor(readonly dir: string) {}

  private pathOf(network: string): string {
    const stem = encodeNetworkFileName(network);
    if (stem.length + SUFFIX.length + 24 > NAME_MAX) {
      throw new BackendError('state.invalid-name', `network name '${network}' is too long to be stored as a file name`);
    }
    return join(this.dir, stem + SUFFIX);
  }

  async get(network: string): Promise<Plan | undefined> {
    return (await this.getRecord(network))?.plan;
  }

  async getRecord(network: string): Promise<NetworkRecord | undefined> {
    const path = this.pathOf(network);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch (error) {
      throw new BackendError('state.corrupt', `state file ${path} is not valid JSON: ${(error as Error).message}`);
    }
    const withFacts = typeof content === 'object' && content !== null && (content as RecordFile).record === 1;
    const plan = withFacts ? (content as RecordFile).plan : content;
    if (typeof plan !== 'object' || plan === null || (plan as Plan).network !== network || !Array.isArray((plan as Plan).operations)) {
      throw new BackendError('state.corrupt', `state file ${path} does not hold a plan for network '${network}'`);
    }
    const facts = withFacts ? readFacts((content as RecordFile).facts) : undefined;
    return facts ? { plan: plan as Plan, facts } : { plan: plan as Plan };
  }

  async set(network: string, plan: Plan, facts?: AppliedFacts): Promise<void> {
    const path = this.pathOf(network);
    const content: Plan | RecordFile = facts !== undefined && facts.inverses.length > 0 ? { record: 1, plan, facts } : plan;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(content, null, 2) + '\n', 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async delete(network: string): Promise<void> {
    try {
      await unlink(this.pathOf(network));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.endsWith(SUFFIX)) continue; // temporary files end in .tmp-…
      const name = decodeNetworkFileName(entry.slice(0, -SUFFIX.length));
      if (name !== undefined) names.push(name);
    }
    return names.sort();
  }
}
