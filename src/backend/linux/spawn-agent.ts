/**
 * A small helper process that starts the host tools for Node, each in the network namespace it
 * names.
 *
 * Why: starting a process from Node costs a fork of the whole Node process, which blocks the
 * event loop for 6-15 ms here (it grows with Node's memory: 6 ms at 46 MB RSS, 14 ms at 150 MB),
 * and inside a namespace every tool needs `nsenter` exec'd first. A start of libvirt's default
 * network needs four tools. The agent is forked once; its own forks are cheap (a few MB of Perl),
 * each child joins the namespace itself between fork and exec (no nsenter), and the agent writes
 * a namespace's sysctls itself, joining it for the moment (no `sysctl` process).
 *
 * It never lives inside a namespace and holds none open, so a namespace whose networks are torn
 * down has no process of ours in it, and one agent serves every backend of the Node process
 * ({@link sharedSpawnAgent}).
 *
 * Why Perl: the agent must be a program that is already on the host and starts fast. perl-base is
 * part of every Debian and Ubuntu system ("Essential"), starts in ~4 ms more than /bin/true, and
 * can call setns(2). Nothing else is needed from it; the program is in spawn-agent-script.ts. A
 * host without perl (or an architecture whose setns number is not known here) falls back to
 * spawning from Node ({@link CommandContext} decides).
 *
 * The agent is started on first use and stops on its own when idle (or when Node exits: it sees
 * EOF on its stdin); none of its handles keep Node's event loop alive while nothing is in flight.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { HostError } from '../types.js';
import { traceCommand, type ProcessCounter, type RunOptions, type RunResult } from './run.js';
import { SPAWN_AGENT_SCRIPT } from './spawn-agent-script.js';

/** setns(2) system call numbers by Node's `process.arch` (Linux). */
const SETNS_SYSCALL: Partial<Record<string, number>> = {
  x64: 308,
  ia32: 346,
  arm64: 268,
  arm: 375,
  riscv64: 268,
  loong64: 268,
  ppc64: 350,
  s390x: 339,
};

/** The setns(2) number on this machine, or undefined where it is not known here. */
export function setnsSyscallNumber(arch: string = process.arch): number | undefined {
  return SETNS_SYSCALL[arch];
}

/** How long an idle agent stays up for the next command. */
const DEFAULT_IDLE_MS = 2_000;

/** Result of one sysctl write: the previous value, or why it failed. */
export type AgentSysctlResult = { ok: true; previous: string } | { ok: false; message: string };

interface PendingRun {
  kind: 'run';
  counter: ProcessCounter | undefined;
  command: string;
  args: readonly string[];
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
  started: number;
  timer: NodeJS.Timeout;
  timedOut: boolean;
  /** Runs the command another way, if the agent never got going. */
  fallback: () => void;
  /** {@link RunOptions.onStarted}. */
  onStarted: (() => void) | undefined;
}
interface PendingSysctl {
  kind: 'sysctl';
  resolve: (fields: string[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  fallback: () => void;
}
type Pending = PendingRun | PendingSysctl;

/** Agent processes started by this Node process, by any {@link SpawnAgent}. */
let agentStarts = 0;

/**
 * How many agent processes this Node process has started. A command's process count (an apply's
 * `processes`) covers the tools only; the agent is one more process whenever it was not running
 * (the first command, or the first after 2 s idle).
 */
export function spawnAgentStarts(): number {
  return agentStarts;
}

const signalName = new Map<number, NodeJS.Signals>(Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** Options of {@link SpawnAgent}. */
export interface SpawnAgentOptions {
  /** Stop after this long without a request (ms). Default 2000. */
  idleMs?: number;
  /** The perl binary. Default `/usr/bin/perl`. */
  perl?: string;
}

/** One command for {@link SpawnAgent.run}. */
export interface AgentCommand {
  /** Absolute path of the program. */
  file: string;
  /** Arguments after argv[0] (argv[0] is `file`). */
  args: readonly string[];
  options?: RunOptions;
  /** Run it in this network namespace (a path such as `/run/netns/NAME`). */
  netnsPath?: string;
  /** Counts the command once it ran (the agent itself is counted by {@link spawnAgentStarts}). */
  counter?: ProcessCounter;
  /** Runs the command another way; used only when the agent cannot start (nothing ran then). */
  fallback: () => Promise<RunResult>;
}

/**
 * One agent process and its conversation: the requests in flight and the replies read so far.
 * An instance that is being stopped (idle, `close()`) finishes its requests on its own while a
 * new one takes new requests.
 */
class AgentProcess {
  readonly child: ChildProcess;
  /** Set once the agent printed `ready`; until then a failure means nothing ran. */
  ready = false;
  /** No new requests: it was told to stop. */
  stopping = false;
  readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private readonly exited: Promise<void>;
  /** When it was spawned (for `VIRTNET_TRACE`). */
  private readonly spawnedAt = performance.now();
  private waiters: Array<(usable: boolean) => void> = [];

  constructor(
    perl: string,
    /** Called with why it could not start (nothing ran), once. */
    private readonly onStartFailure: (why: string) => void,
    /** Called whenever nothing is in flight any more. */
    private readonly onIdle: () => void,
  ) {
    const child = spawn(perl, ['-e', SPAWN_AGENT_SCRIPT, String(setnsSyscallNumber() ?? 0)], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    this.child = child;
    // Counted once it exists (not when perl is missing); commands when their reply says they ran.
    child.once('spawn', () => agentStarts++);
    // Nothing of the agent keeps Node alive; while a reply is awaited its stdout does (see `send`).
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();
    child.stdin!.on('error', () => undefined); // EPIPE when it died: reported through 'exit'
    child.stdout!.on('data', (b: Buffer) => this.onData(b));
    child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString('utf8')));
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        this.onExit(`cannot start ${perl}: ${e.message}`);
        resolve();
      });
      child.on('exit', (code, signal) => {
        this.onExit(`exited with ${code ?? signal}`);
        resolve();
      });
    });
  }

  /** Send one request; its reply settles `pending`. */
  send(id: number, pending: Pending, frame: Buffer): void {
    this.pending.set(id, pending);
    // While a reply is awaited the agent's output keeps Node alive (a timed-out command's reply
    // comes after its timer has fired).
    (this.child.stdout as unknown as { ref(): void }).ref();
    this.child.stdin!.write(frame);
  }

  /** Write to the agent if the request is still in flight (a deferred input, a kill). */
  sendIfPending(id: number, frame: Buffer | string): void {
    if (this.pending.has(id)) this.child.stdin!.write(frame);
  }

  /** Resolves true once it runs, false if it could not start. */
  usable(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    (this.child.stdout as unknown as { ref(): void }).ref();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Stop taking requests; it exits once those in flight are done. Resolves when it has exited;
   * `awaited`: keep Node running until then (close()), which an idle stop must not.
   */
  stop(awaited: boolean): Promise<void> {
    if (awaited) this.child.ref();
    if (!this.stopping) {
      this.stopping = true;
      this.child.stdin?.end();
    }
    return this.exited;
  }

  private onExit(why: string): void {
    this.stopping = true;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const w of this.waiters.splice(0)) w(false);
    for (const p of pending) clearTimeout(p.timer);
    if (!this.ready) {
      // Nothing ran: say why, and let every request go the other way.
      this.onStartFailure(`spawn agent ${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`);
      for (const p of pending) p.fallback();
      return;
    }
    for (const p of pending) p.reject(new HostError('EAGENT', `the spawn agent ${why} while a command was running${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
  }

  private onData(b: Buffer): void {
    this.chunks.push(b);
    this.buffered += b.length;
    for (;;) {
      const head = this.peekLine();
      if (head === undefined) return;
      const [kind, idText, ...rest] = head.line.split(' ');
      let bodyLength = 0;
      if (kind === 'done') bodyLength = Number(rest[2]) + Number(rest[3]);
      else if (kind === 'fail' || kind === 'sysctl' || kind === 'fatal') bodyLength = Number(rest[0]);
      if (this.buffered < head.length + bodyLength) return;
      const frame = this.take(head.length + bodyLength).subarray(head.length);
      this.handle(kind ?? '', Number(idText), rest, frame);
    }
  }

  private handle(kind: string, id: number, rest: string[], body: Buffer): void {
    if (kind === 'ready') {
      this.ready = true;
      traceCommand(this.spawnedAt, '(agent start)', [], 'ready');
      for (const w of this.waiters.splice(0)) w(true);
      if (this.pending.size === 0) this.settle();
      return;
    }
    if (kind === 'fatal') {
      this.stderr += body.toString('utf8');
      return; // the exit follows
    }
    const p = this.pending.get(id);
    if (!p) return;
    if (kind === 'started') {
      if (p.kind === 'run') p.onStarted?.();
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (kind === 'done' && p.kind === 'run') {
      if (p.counter) p.counter.count++;
      const code = Number(rest[0]);
      const signal = Number(rest[1]) > 0 ? (signalName.get(Number(rest[1])) ?? null) : null;
      const outLength = Number(rest[2]);
      traceCommand(p.started, `(agent) ${p.command}`, p.args, code < 0 ? signal : code);
      p.resolve({
        code: code < 0 ? null : code,
        signal,
        stdout: body.subarray(0, outLength).toString('utf8'),
        stderr: body.subarray(outLength).toString('utf8'),
        durationMs: performance.now() - p.started,
        timedOut: p.timedOut,
      });
    } else if (kind === 'fail') {
      p.reject(Object.assign(new Error(body.toString('utf8')), { code: 'EAGAIN' }));
    } else if (kind === 'sysctl' && p.kind === 'sysctl') {
      const fields = body.toString('utf8').split('\0');
      fields.pop();
      p.resolve(fields);
    } else {
      p.reject(new HostError('EAGENT', `unexpected reply '${kind}' from the spawn agent`));
    }
    if (this.pending.size === 0) this.settle();
  }

  /** Nothing in flight: let Node exit. */
  private settle(): void {
    (this.child.stdout as unknown as { unref(): void }).unref();
    this.onIdle();
  }

  private peekLine(): { line: string; length: number } | undefined {
    let offset = 0;
    for (const c of this.chunks) {
      const nl = c.indexOf(10);
      if (nl >= 0) {
        const head = offset === 0 ? c.subarray(0, nl) : Buffer.concat(this.chunks).subarray(0, offset + nl);
        return { line: head.toString('latin1'), length: offset + nl + 1 };
      }
      offset += c.length;
    }
    return undefined;
  }

  /** Remove and return the first `n` buffered bytes (one concatenation per frame). */
  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}

/**
 * Runs commands through one helper process (see the module comment).
 *
 * @example
 * ```ts
 * const agent = new SpawnAgent();
 * const r = await agent.run({ file: '/usr/sbin/nft', args: ['-f', '-'], options: { input: script },
 *   netnsPath: '/run/netns/lab', fallback: () => runDirectly() });
 * await agent.close();
 * ```
 */
export class SpawnAgent {
  /** The process taking new requests, if one runs. */
  private current: AgentProcess | undefined;
  private failed: string | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly perl: string;

  constructor(options: SpawnAgentOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.perl = options.perl ?? '/usr/bin/perl';
  }

  /** Why the agent cannot be used (it failed to start), if it cannot. */
  get unusable(): string | undefined {
    return this.failed;
  }

  /** Run a command (see {@link AgentCommand}). */
  run(command: AgentCommand): Promise<RunResult> {
    const { file, args, options = {}, fallback } = command;
    if (this.failed) return fallback();
    for (const s of [command.netnsPath ?? '', file, ...args, ...Object.entries(options.env ?? {}).flat()]) {
      if (s.includes('\0')) return Promise.reject(new HostError('EINVAL', `argument contains a NUL byte: ${JSON.stringify(s)}`));
    }
    for (const key of Object.keys(options.env ?? {})) {
      if (key === '' || key.includes('=')) return Promise.reject(new HostError('EINVAL', `invalid environment variable name ${JSON.stringify(key)}`));
    }
    return new Promise<RunResult>((resolve, reject) => {
      const id = this.nextId++;
      const agent = this.process();
      const env = options.env === undefined ? undefined : Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
      const strings = Buffer.from([command.netnsPath ?? '', file, ...args, ...(env ?? [])].map((s) => `${s}\0`).join(''), 'utf8');
      const deferred = typeof options.input === 'object' ? options.input : undefined;
      const input = Buffer.from(deferred ? '' : ((options.input as string | undefined) ?? ''), 'utf8');
      const kill = `kill ${id} ${osConstants.signals.SIGKILL}\n`;
      const pending: PendingRun = {
        kind: 'run',
        counter: command.counter,
        command: file,
        args,
        resolve,
        reject,
        started: performance.now(),
        timer: setTimeout(() => {
          pending.timedOut = true;
          agent.sendIfPending(id, kill);
        }, options.timeoutMs ?? 30_000),
        timedOut: false,
        fallback: () => void fallback().then(resolve, reject),
        onStarted: options.onStarted,
      };
      agent.send(id, pending, Buffer.concat([Buffer.from(`run ${id} ${args.length} ${env?.length ?? -1} ${strings.length} ${deferred ? -1 : input.length}\n`), strings, input]));
      deferred?.then(
        (text) => {
          const body = Buffer.from(text, 'utf8');
          agent.sendIfPending(id, Buffer.concat([Buffer.from(`feed ${id} ${body.length}\n`), body]));
        },
        () => agent.sendIfPending(id, kill),
      );
    });
  }

  /**
   * Whether commands can go through the agent: starts it if needed and waits until it runs (or
   * failed to start, e.g. no perl).
   */
  usable(): Promise<boolean> {
    if (this.failed) return Promise.resolve(false);
    return this.process().usable();
  }

  /**
   * For each `[path, value]` (relative to /proc/sys, e.g. `net/ipv4/ip_forward`), read the old
   * value and write the new one, in the namespace at `netnsPath` ('' = the agent's own); stops at
   * the first failure (the result is then shorter than the list, its last entry the failure).
   * Call {@link usable} first.
   */
  writeSysctls(netnsPath: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<AgentSysctlResult[]> {
    return this.sysctlRequest('sysctl', [netnsPath, ...pairs.flat()], (fields) => {
      const out: AgentSysctlResult[] = [];
      for (let i = 0; i + 1 < fields.length; i += 2) out.push(fields[i] === 'ok' ? { ok: true, previous: fields[i + 1]! } : { ok: false, message: fields[i + 1]! });
      return out;
    });
  }

  /**
   * Read sysctls (relative paths) in the namespace at `netnsPath` ('' = the agent's own);
   * undefined where unreadable. Call {@link usable} first.
   */
  readSysctls(netnsPath: string, paths: readonly string[]): Promise<Array<string | undefined>> {
    return this.sysctlRequest('sysread', [netnsPath, ...paths], (fields) => {
      const out: Array<string | undefined> = [];
      for (let i = 0; i + 1 < fields.length; i += 2) out.push(fields[i] === 'ok' ? fields[i + 1] : undefined);
      return paths.map((_, k) => out[k]);
    });
  }

  /** Stop the agent once its commands are done (a later request starts a new one). */
  async close(): Promise<void> {
    this.stopIdleTimer();
    const agent = this.current;
    this.current = undefined;
    await agent?.stop(true);
  }

  private sysctlRequest<T>(kind: 'sysctl' | 'sysread', fields: readonly string[], map: (fields: string[]) => T): Promise<T> {
    if (this.failed) return Promise.reject(new HostError('EAGENT', this.failed));
    for (const f of fields) if (f.includes('\0')) return Promise.reject(new HostError('EINVAL', 'sysctl field contains a NUL byte'));
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const agent = this.process();
      const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
      const pending: PendingSysctl = {
        kind: 'sysctl',
        resolve: (f) => resolve(map(f)),
        reject,
        timer: setTimeout(() => {
          // Forgotten, so the agent can go idle; a late answer is dropped.
          agent.pending.delete(id);
          reject(new HostError('ETIMEDOUT', 'the spawn agent did not answer a sysctl request within 10 s'));
        }, 10_000),
        fallback: () => reject(new HostError('EAGENT', this.failed ?? 'the spawn agent is not running')),
      };
      agent.send(id, pending, Buffer.concat([Buffer.from(`${kind} ${id} ${body.length}\n`), body]));
    });
  }

  /** The process taking requests, started if none is. */
  private process(): AgentProcess {
    this.stopIdleTimer();
    if (this.current && !this.current.stopping) return this.current;
    const agent = new AgentProcess(
      this.perl,
      (why) => (this.failed ??= why),
      () => this.current === agent && this.startIdleTimer(),
    );
    this.current = agent;
    return agent;
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const agent = this.current;
      if (!agent || agent.pending.size > 0) return;
      this.current = undefined;
      void agent.stop(false);
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

let shared: SpawnAgent | undefined;

/**
 * The agent every {@link CommandContext} of this Node process uses (one helper process for all
 * backends and namespaces).
 */
export function sharedSpawnAgent(perl: string): SpawnAgent {
  shared ??= new SpawnAgent({ perl });
  return shared;
}
