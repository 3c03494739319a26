/**
 * Sysctls: written straight to /proc/sys in the current namespace (no process). Inside a named
 * namespace, /proc/sys/net belongs to the namespace of the process that opens it, so Node (which
 * cannot setns) must ask a process that goes there: the spawn agent, which joins the namespace
 * for the moment and reads and writes them itself (no process), or else ONE
 * `nsenter --net=… sysctl k k=v k2 k2=v2 …` per run: procps `sysctl` reads an argument without
 * `=` and writes one with `=`, in order, so that single process both records the previous value
 * (for the undo) and sets the new one.
 *
 * @module
 */
import { promises as fs } from 'node:fs';
import type { Operation } from '../../compile/plan.js';
import { HostError } from '../types.js';
import type { CommandContext } from './netns.js';
import { describeFailure } from './run.js';

export type SysctlOp = Extract<Operation, { kind: 'sysctl.set' }>;

/** Dotted segments; a `/` inside a segment stands for a `.` in an interface name (procps' convention). */
const KEY = /^[a-z0-9_]+(\.[A-Za-z0-9_/+-]+)+$/;
const VALUE = /^[A-Za-z0-9 _.:,+-]{0,256}$/;

/**
 * The /proc/sys path (relative) of a dotted key, as procps `sysctl` reads it: dots separate
 * segments, and a `/` inside a segment is a `.` of an interface name.
 *
 * @example
 * sysctlPath('net.ipv6.conf.virbr0.accept_ra') // 'net/ipv6/conf/virbr0/accept_ra'
 * sysctlPath('net.ipv6.conf.br/10.accept_ra') // 'net/ipv6/conf/br.10/accept_ra'
 */
export function sysctlPath(key: string, op?: Operation): string {
  if (!KEY.test(key)) throw new HostError('EINVAL', `invalid sysctl key '${key}'`, op);
  const segments = key.split('.').map((s) => s.split('/').join('.'));
  if (segments.some((s) => s === '.' || s === '..' || s === '')) throw new HostError('EINVAL', `invalid sysctl key '${key}'`, op);
  return segments.join('/');
}

function checkValue(op: SysctlOp): string {
  if (!VALUE.test(op.value)) throw new HostError('EINVAL', `invalid sysctl value '${op.value}' for ${op.key}`, op);
  return op.value;
}

/** Read sysctls (for inspect); missing keys are left out. */
export async function readSysctls(ctx: CommandContext, keys: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (keys.length === 0) return out;
  if (!ctx.netns) {
    await Promise.all(
      keys.map(async (k) => {
        try {
          out[k] = (await fs.readFile(`/proc/sys/${sysctlPath(k)}`, 'utf8')).trim();
        } catch {
          // absent (e.g. the bridge is gone)
        }
      }),
    );
    return out;
  }
  const paths = keys.map((k) => sysctlPath(k));
  if (ctx.agent && (await ctx.agent.usable())) {
    const values = await ctx.agent.readSysctls(ctx.netnsPath, paths);
    keys.forEach((k, i) => values[i] !== undefined && (out[k] = values[i]!));
    return out;
  }
  const r = await ctx.tool('sysctl', ['-e', ...paths], { timeoutMs: 10_000 });
  const byPath = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0) byPath.set(line.slice(0, i), line.slice(i + 3).trim());
  }
  keys.forEach((k, i) => {
    // procps prints the key in its dotted form (a '.' of an interface name as '/'), i.e. `k`.
    const v = byPath.get(k);
    if (v !== undefined) out[k] = v;
  });
  return out;
}

/** The outcome for each sysctl of a run, in order; stops at the first failure. */
export interface SysctlOutcome {
  op: SysctlOp;
  ok: boolean;
  undo: Operation[];
  error?: HostError;
}

function undoFor(op: SysctlOp, previous: string): Operation[] {
  return previous === op.value ? [] : [{ kind: 'sysctl.set', key: op.key, value: previous, keepOnTeardown: op.keepOnTeardown }];
}

/**
 * Apply sysctls in order, recording each previous value. Inside a namespace this is one process;
 * if a write fails there, the writes that procps carried on with after it are put back at once
 * (a second process, only on that error path) so that "stops at the first failure" still holds.
 */
export async function applySysctls(ctx: CommandContext, ops: readonly SysctlOp[]): Promise<SysctlOutcome[]> {
  const results: SysctlOutcome[] = [];
  if (!ctx.netns) {
    for (const op of ops) {
      try {
        const path = `/proc/sys/${sysctlPath(op.key, op)}`;
        const value = checkValue(op);
        const previous = (await fs.readFile(path, 'utf8')).trim();
        if (previous !== value) await fs.writeFile(path, `${value}\n`);
        results.push({ op, ok: true, undo: undoFor(op, previous) });
      } catch (e) {
        const err = e instanceof HostError ? e : new HostError((e as NodeJS.ErrnoException).code ?? 'EIO', `cannot set ${op.key}=${op.value}: ${(e as Error).message}`, op);
        results.push({ op, ok: false, undo: [], error: err });
        break;
      }
    }
    return results;
  }
  // Validate everything before anything runs, so a bad key fails at its own index with nothing done.
  const pairs: Array<readonly [string, string]> = [];
  let valid = ops.length;
  let invalid: HostError | undefined;
  for (let i = 0; i < ops.length; i++) {
    try {
      pairs.push([sysctlPath(ops[i]!.key, ops[i]), checkValue(ops[i]!)]);
    } catch (e) {
      valid = i;
      invalid = e as HostError;
      break;
    }
  }
  if (valid > 0 && ctx.agent && (await ctx.agent.usable())) {
    const written = await ctx.agent.writeSysctls(ctx.netnsPath, pairs);
    for (let i = 0; i < written.length; i++) {
      const w = written[i]!;
      const op = ops[i]!;
      if (w.ok) results.push({ op, ok: true, undo: undoFor(op, w.previous) });
      else return [...results, { op, ok: false, undo: [], error: new HostError(/No such file/.test(w.message) ? 'ENOENT' : 'EIO', w.message, op) }];
    }
  } else if (valid > 0) {
    // procps reads an argument without `=` and writes one with `=`, in order.
    const args = pairs.flatMap(([path, value]) => [path, `${path}=${value}`]);
    const r = await ctx.tool('sysctl', args, { timeoutMs: 10_000 });
    const lines = r.stdout.split('\n').filter((l) => l.includes(' = '));
    if (r.code === 0 && lines.length === 2 * valid) {
      for (let i = 0; i < valid; i++) {
        const previous = lines[2 * i]!.slice(lines[2 * i]!.indexOf(' = ') + 3).trim();
        results.push({ op: ops[i]!, ok: true, undo: undoFor(ops[i]!, previous) });
      }
    } else {
      // Find the first key sysctl complained about; everything before it printed two lines.
      const failedAt = ops.findIndex((op, i) => i < valid && r.stderr.includes(`/proc/sys/${sysctlPath(op.key)}`));
      const at = failedAt < 0 ? Math.min(Math.floor(lines.length / 2), valid - 1) : failedAt;
      for (let i = 0; i < at; i++) {
        const previous = lines[2 * i]!.slice(lines[2 * i]!.indexOf(' = ') + 3).trim();
        results.push({ op: ops[i]!, ok: true, undo: undoFor(ops[i]!, previous) });
      }
      // procps went on after the failure: put back what it changed after `at`.
      const later: SysctlOp[] = [];
      let line = 2 * at;
      for (let i = at + 1; i < valid; i++) {
        const prev = lines[line];
        const now = lines[line + 1];
        if (prev !== undefined && now !== undefined && failedAt >= 0) {
          later.push(...(undoFor(ops[i]!, prev.slice(prev.indexOf(' = ') + 3).trim()) as SysctlOp[]));
        }
        line += 2;
      }
      if (later.length > 0) await ctx.tool('sysctl', later.flatMap((o) => [`${sysctlPath(o.key)}=${o.value}`]), { timeoutMs: 10_000 });
      const op = ops[at]!;
      results.push({ op, ok: false, undo: [], error: new HostError('ECOMMAND', describeFailure('sysctl', [op.key], r), op) });
      return results;
    }
  }
  if (invalid) results.push({ op: ops[valid]!, ok: false, undo: [], error: invalid });
  return results;
}
