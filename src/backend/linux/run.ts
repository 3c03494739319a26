/**
 * Spawning host tools: argument arrays only (never a shell), a timeout, captured output, and a
 * count of every process started so the 4-process budget can be measured.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** What a finished command gave back. */
export interface RunResult {
  /** Exit status; `null` when it was killed by a signal (including the timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** How to run one command. */
export interface RunOptions {
  /**
   * Written to the child's stdin, which is then closed. A promise lets the tool start before its
   * input is known (see `CommandContext.prewarm`); if it rejects, the child is killed.
   */
  input?: string | Promise<string>;
  /** Kill the child (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** The child's whole environment (nothing is inherited when given). */
  env?: Record<string, string>;
  /**
   * Called once the program has been executed (its exec succeeded; for a tool run through
   * `nsenter`, nsenter's), before it is done; not called when it could not start. A caller can
   * hold back other work until a process on its critical path has got going.
   */
  onStarted?: () => void;
}

/** Counts processes; one instance per executor. */
export class ProcessCounter {
  count = 0;
}

/** `VIRTNET_TRACE=1`: print when each command started and how long it took (stderr). */
const TRACE = process.env.VIRTNET_TRACE === '1';
const TRACE_T0 = performance.now();

const binCache = new Map<string, string>();
const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Resolve a tool name to an absolute path (PATH plus the sbin directories root tools live in), so
 * that children started with a minimal environment still find it.
 *
 * @example
 * resolveBinary('ip') // '/usr/sbin/ip'
 */
export function resolveBinary(name: string): string {
  if (isAbsolute(name)) return name;
  const cached = binCache.get(name);
  if (cached) return cached;
  if (name.includes('/')) throw new Error(`not a bare command name: ${name}`);
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      binCache.set(name, candidate);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw Object.assign(new Error(`${name}: command not found`), { code: 'ENOENT' });
}

/** Whether a tool is installed (for skipping tests and choosing backends). */
export function hasBinary(name: string): boolean {
  try {
    resolveBinary(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run a command with an argument array and wait for it to exit. Never throws for a non-zero exit;
 * rejects only when the binary cannot be started.
 *
 * @example
 * const r = await run('ip', ['-json', 'link', 'show'], {}, counter);
 * if (r.code !== 0) throw new Error(r.stderr);
 */
export function run(command: string, args: readonly string[], options: RunOptions = {}, counter?: ProcessCounter): Promise<RunResult> {
  const started = performance.now();
  const file = resolveBinary(command);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      shell: false,
    });
    if (counter) counter.count++;
    // libuv reports 'spawn' once the exec succeeded (it waits on a close-on-exec pipe).
    if (options.onStarted) child.once('spawn', options.onStarted);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // stdin errors (EPIPE when the tool exits early) are reported through the exit status instead.
    child.stdin.on('error', () => undefined);
    if (typeof options.input === 'object') {
      options.input.then(
        (text) => child.stdin.end(text),
        () => child.kill('SIGKILL'),
      );
    } else {
      child.stdin.end(options.input ?? '');
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      traceCommand(started, command, args, code ?? signal);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** With `VIRTNET_TRACE=1`: one line on stderr per finished command (start offset + duration). */
export function traceCommand(started: number, command: string, args: readonly string[], outcome: number | string | null): void {
  if (TRACE) process.stderr.write(`[virtnet] ${(started - TRACE_T0).toFixed(1)}+${(performance.now() - started).toFixed(1)} ms: ${command} ${args.join(' ').slice(0, 80)} → ${outcome}\n`);
}

/** One line describing a failed command, for error messages. */
export function describeFailure(command: string, args: readonly string[], r: RunResult): string {
  const why = r.timedOut ? 'timed out' : r.code === null ? `killed by ${r.signal}` : `exited with ${r.code}`;
  const text = (r.stderr || r.stdout).trim();
  return `${[command, ...args].join(' ')} ${why}${text ? `: ${text}` : ''}`;
}
