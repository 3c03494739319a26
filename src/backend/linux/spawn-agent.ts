/**
 * A small helper process that starts the host tools for Node, inside the backend's network
 * namespace.
 *
 * Why: starting a process from Node costs a fork of the whole Node process, which blocks the
 * event loop for 6-15 ms here (it grows with Node's memory: 6 ms at 46 MB RSS, 14 ms at 150 MB),
 * and inside a namespace every tool needs `nsenter` exec'd first. A start of libvirt's default
 * network needs four tools; measured on this host, the forks and nsenters were about half of
 * its time. The agent is forked once; its own forks are cheap (a few MB of Perl), it joins the
 * namespace itself (no nsenter), and it writes the namespace's sysctls itself (no `sysctl`
 * process).
 *
 * Why Perl: the agent must be a program that is already on the host and starts fast. perl-base is
 * part of every Debian and Ubuntu system ("Essential"), starts in ~4 ms more than /bin/true, and
 * can call setns(2). Nothing else is needed from it; the program is in spawn-agent-script.ts. A
 * host without perl (or an architecture whose setns number is not known here) falls back to
 * spawning from Node ({@link CommandContext} decides).
 *
 * The agent is started on first use and stops on its own when idle (or when Node exits: it sees
 * EOF on its stdin); none of its handles keep Node's event loop alive, only the timers of
 * requests in flight do.
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
  command: string;
  args: readonly string[];
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
  started: number;
  timer: NodeJS.Timeout;
  timedOut: boolean;
  /** Re-run elsewhere if the agent never got going (see `onStartFailure`). */
  fallback: () => void;
}
interface PendingSysctl {
  kind: 'sysctl';
  resolve: (fields: string[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  fallback: () => void;
}
type Pending = PendingRun | PendingSysctl;

const signalName = new Map<number, NodeJS.Signals>(Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** Options of {@link SpawnAgent}. */
export interface SpawnAgentOptions {
  /** Join this network namespace (a path such as `/run/netns/NAME`). */
  netnsPath?: string;
  /** Counts the agent itself and every command it runs. */
  counter?: ProcessCounter;
  /** Stop after this long without a request (ms). Default 2000. */
  idleMs?: number;
  /** The perl binary. Default `/usr/bin/perl`. */
  perl?: string;
}

/**
 * Runs commands through one helper process (see the module comment).
 *
 * @example
 * ```ts
 * const agent = new SpawnAgent({ netnsPath: '/run/netns/lab' });
 * const r = await agent.run('/usr/sbin/nft', ['-f', '-'], { input: script }, () => runDirectly());
 * await agent.close();
 * ```
 */
export class SpawnAgent {
  private child: ChildProcess | undefined;
  /** Set once the agent printed `ready`; until then a failure means nothing ran. */
  private ready = false;
  private failed: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  /** Callers of {@link usable} waiting for `ready` or a failure. */
  private waiters: Array<(usable: boolean) => void> = [];

  constructor(private readonly options: SpawnAgentOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** Why the agent cannot be used (it failed to start), if it cannot. */
  get unusable(): string | undefined {
    return this.failed;
  }

  /**
   * Run `file` (an absolute path) with `args`. `fallback` runs the command some other way and is
   * used only when the agent cannot start, before anything was run by it.
   */
  run(file: string, args: readonly string[], options: RunOptions, fallback: () => Promise<RunResult>): Promise<RunResult> {
    if (this.failed) return fallback();
    for (const s of [file, ...args, ...Object.entries(options.env ?? {}).flat()]) {
      if (s.includes('\0')) return Promise.reject(new HostError('EINVAL', `argument contains a NUL byte: ${JSON.stringify(s)}`));
    }
    return new Promise<RunResult>((resolve, reject) => {
      const id = this.nextId++;
      const env = options.env === undefined ? undefined : Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
      const strings = Buffer.from([file, ...args, ...(env ?? [])].map((s) => `${s}\0`).join(''), 'utf8');
      const deferred = typeof options.input === 'object' ? options.input : undefined;
      const input = Buffer.from(deferred ? '' : ((options.input as string | undefined) ?? ''), 'utf8');
      const timer = setTimeout(() => {
        const p = this.pending.get(id);
        if (p?.kind !== 'run') return;
        p.timedOut = true;
        this.child?.stdin?.write(`kill ${id} ${osConstants.signals.SIGKILL}\n`);
      }, options.timeoutMs ?? 30_000);
      this.pending.set(id, {
        kind: 'run',
        command: file,
        args,
        resolve,
        reject,
        started: performance.now(),
        timer,
        timedOut: false,
        fallback: () => void fallback().then(resolve, reject),
      });
      this.send(Buffer.concat([Buffer.from(`run ${id} ${args.length} ${env?.length ?? -1} ${strings.length} ${deferred ? -1 : input.length}\n`), strings, input]));
      deferred?.then(
        (text) => {
          const body = Buffer.from(text, 'utf8');
          if (this.pending.has(id)) this.child?.stdin?.write(Buffer.concat([Buffer.from(`feed ${id} ${body.length}\n`), body]));
        },
        () => {
          if (this.pending.has(id)) this.child?.stdin?.write(`kill ${id} ${osConstants.signals.SIGKILL}\n`);
        },
      );
    });
  }

  /**
   * Whether commands can go through the agent: starts it if needed and waits for it to be in its
   * namespace (or to fail, e.g. no perl, or a namespace that cannot be joined).
   */
  usable(): Promise<boolean> {
    if (this.failed) return Promise.resolve(false);
    if (this.ready && this.child) return Promise.resolve(true);
    const child = this.child ?? this.start();
    (child.stdout as unknown as { ref(): void }).ref();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * For each `[path, value]` (relative to /proc/sys, e.g. `net/ipv4/ip_forward`), read the old
   * value and write the new one, in the agent's namespace; stops at the first failure (the
   * result is then shorter than the list, its last entry the failure). Call {@link usable} first.
   */
  writeSysctls(pairs: ReadonlyArray<readonly [string, string]>): Promise<AgentSysctlResult[]> {
    return this.sysctlRequest('sysctl', pairs.flat(), (fields) => {
      const out: AgentSysctlResult[] = [];
      for (let i = 0; i + 1 < fields.length; i += 2) out.push(fields[i] === 'ok' ? { ok: true, previous: fields[i + 1]! } : { ok: false, message: fields[i + 1]! });
      return out;
    });
  }

  /** Read sysctls (relative paths) in the agent's namespace; undefined where unreadable. Call {@link usable} first. */
  readSysctls(paths: readonly string[]): Promise<Array<string | undefined>> {
    return this.sysctlRequest('sysread', paths, (fields) => {
      const out: Array<string | undefined> = [];
      for (let i = 0; i + 1 < fields.length; i += 2) out.push(fields[i] === 'ok' ? fields[i + 1] : undefined);
      return out;
    });
  }

  private sysctlRequest<T>(kind: 'sysctl' | 'sysread', fields: readonly string[], map: (fields: string[]) => T): Promise<T> {
    if (this.failed) return Promise.reject(new HostError('EAGENT', this.failed));
    for (const f of fields) if (f.includes('\0')) return Promise.reject(new HostError('EINVAL', 'sysctl field contains a NUL byte'));
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostError('ETIMEDOUT', 'the spawn agent did not answer a sysctl request within 10 s'));
      }, 10_000);
      const failed = () => reject(new HostError('EAGENT', this.failed ?? 'the spawn agent is not running'));
      this.pending.set(id, { kind: 'sysctl', resolve: (f) => resolve(map(f)), reject, timer, fallback: failed });
      this.send(Buffer.concat([Buffer.from(`${kind} ${id} ${body.length}\n`), body]));
    });
  }

  /** Stop the agent once its commands are done. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopIdleTimer();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // Awaited, so it must keep Node running until the agent is gone.
      child.ref();
      child.once('exit', () => resolve());
      child.stdin?.end();
    });
  }

  private send(frame: Buffer): void {
    this.stopIdleTimer();
    const child = this.child ?? this.start();
    // While a reply is awaited the agent's output keeps Node alive (a timed-out command's reply
    // comes after its timer has fired).
    (child.stdout as unknown as { ref(): void }).ref();
    child.stdin!.write(frame);
  }

  private start(): ChildProcess {
    const setns = setnsSyscallNumber() ?? 0;
    const args = ['-e', SPAWN_AGENT_SCRIPT, String(setns)];
    if (this.options.netnsPath) args.push(this.options.netnsPath);
    const child = spawn(this.options.perl ?? '/usr/bin/perl', args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    // Counted once it exists (not when perl is missing); commands when their reply says they ran.
    child.once('spawn', () => this.options.counter && this.options.counter.count++);
    this.child = child;
    this.ready = false;
    this.chunks = [];
    this.buffered = 0;
    this.stderr = '';
    // Nothing of the agent keeps Node alive; the request timers do while requests are in flight.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();
    child.stdin!.on('error', () => undefined); // EPIPE when it died: reported through 'exit'
    child.stdout!.on('data', (b: Buffer) => this.onData(b));
    child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString('utf8')));
    child.on('error', (e) => this.onExit(child, `cannot start ${this.options.perl ?? '/usr/bin/perl'}: ${e.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `exited with ${code ?? signal}`));
    return child;
  }

  private onExit(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.stopIdleTimer();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const w of this.waiters.splice(0)) w(false);
    if (!this.ready) {
      // Nothing ran: remember why and let every request go the other way.
      this.failed = `spawn agent ${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
      for (const p of pending) {
        clearTimeout(p.timer);
        p.fallback();
      }
      return;
    }
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new HostError('EAGENT', `the spawn agent ${why} while a command was running${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
    }
  }

  private onData(b: Buffer): void {
    this.chunks.push(b);
    this.buffered += b.length;
    for (;;) {
      const head = this.peekLine();
      if (head === undefined) return;
      const [kind, idText, ...rest] = head.line.split(' ');
      const id = Number(idText);
      let bodyLength = 0;
      if (kind === 'done') bodyLength = Number(rest[2]) + Number(rest[3]);
      else if (kind === 'fail' || kind === 'sysctl' || kind === 'fatal') bodyLength = Number(rest[0]);
      if (this.buffered < head.length + bodyLength) return;
      const frame = this.take(head.length + bodyLength).subarray(head.length);
      this.handle(kind ?? '', id, rest, frame);
    }
  }

  private handle(kind: string, id: number, rest: string[], body: Buffer): void {
    if (kind === 'ready') {
      this.ready = true;
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
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (kind === 'done' && p.kind === 'run') {
      if (this.options.counter) this.options.counter.count++;
      const code = Number(rest[0]);
      const signum = Number(rest[1]);
      const outLength = Number(rest[2]);
      traceCommand(p.started, `(agent) ${p.command}`, p.args, code < 0 ? (signalName.get(Number(rest[1])) ?? null) : code);
      p.resolve({
        code: code < 0 ? null : code,
        signal: signum > 0 ? (signalName.get(signum) ?? null) : null,
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

  /** Nothing in flight: let Node exit, and stop the agent if nothing comes for a while. */
  private settle(): void {
    (this.child?.stdout as unknown as { unref(): void } | undefined)?.unref();
    this.startIdleTimer();
  }

  private peekLine(): { line: string; length: number } | undefined {
    let offset = 0;
    for (const c of this.chunks) {
      const nl = c.indexOf(10);
      if (nl >= 0) {
        const head = this.chunks.length === 1 || offset === 0 ? c.subarray(0, nl) : Buffer.concat(this.chunks).subarray(0, offset + nl);
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

  private startIdleTimer(): void {
    this.stopIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.pending.size > 0 || !this.child) return;
      // Detach first: a request arriving before it has exited starts a new agent.
      const child = this.child;
      this.child = undefined;
      child.stdin?.end();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
