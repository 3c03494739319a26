/**
 * The Linux {@link OperationExecutor}: performs plan operations on the real host (or inside one
 * network namespace) with as few processes as the operations allow.
 *
 * Process budget (the tools are counted in {@link LinuxExecutor.processCount}):
 * - the spawn agent, when tools run through it (see spawn-agent.ts): one per Node process while
 *   it has work, started by the first tool (counted in `spawnAgentStarts()`);
 * - consecutive link/address/route operations: ONE `ip -batch -` (commands on stdin);
 * - sysctls: written to /proc/sys (by Node, or inside a namespace by the agent; 0 processes);
 *   without the agent inside a namespace ONE `nsenter --net=… sysctl …` (see sysctl.ts);
 * - firewall: ONE `nft -a -e -f -`, or one `iptables-restore` (+ one `ip6tables-restore` when the
 *   network has IPv6 rules; + one `iptables-save` per family the first time in a namespace per
 *   boot, see firewall-apply.ts); removing nft rules is one `nft -f -` by the handles recorded at
 *   insertion;
 * - files and directories: no process;
 * - dnsmasq: its own process (it daemonises; the foreground one exits).
 *
 * So libvirt's default NAT network (IPv4 only) starts with 3 tools (ip, nft or iptables-restore,
 * dnsmasq), plus the agent when it was not running, and stops with 2 (ip, and nft or
 * iptables-restore); libvirt 9.0 runs ~20 iptables commands alone for it.
 *
 * To reach one `ip -batch` per start, a run of link/address/route, sysctl and firewall operations
 * is executed as: all iproute2 operations first, then the sysctls, then the firewall. This only
 * moves operations past others they commute with: the firewall rules name the bridge (which the
 * batch creates first) but not its addresses, and a freshly created bridge has no ports, so nothing
 * can cross it before its rules are in. The one real dependency — an IPv6 address needs
 * `disable_ipv6=0` on its device first — makes the run fall back to exact plan order.
 *
 * A whole start plan (that run, then folders, files and dnsmasq) is pipelined: see
 * {@link LinuxExecutor.runPipelined}. Teardown and undo lists run in concurrent branches (see
 * `runCarryingOn`).
 *
 * Steps are reported in plan order as the engine expects: if something fails, the operations
 * before it are done (deferred ones are run first) and anything done after it is undone at once.
 *
 * @module
 */
import type { Operation } from '../../compile/plan.js';
import { HostError, type ExecutedStep, type OperationExecutor } from '../types.js';
import { applyFirewallOperation, NFT_ADD_ARGS, type FirewallOperation } from './firewall-apply.js';
import {
  makeDirectory,
  makeDirectorySync,
  removeDirectory,
  removeDirectorySync,
  removeFile,
  removeFileSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from './files.js';
import { batchLine, errnoOf, failedLine, ipUndo, isIpOperation, type IpOperation } from './iproute2.js';
import { CommandContext, type SpawnMode } from './netns.js';
import { describeFailure } from './run.js';
import { applySysctls, type SysctlOp } from './sysctl.js';
import { startDnsmasq, stopDnsmasq } from './dnsmasq-process.js';

/** Options of {@link LinuxExecutor}. */
export interface LinuxExecutorOptions {
  /** Run everything inside this network namespace (`ip -n NS`, `ip netns exec NS …`). */
  netns?: string;
  /** Where small caches of host facts may be kept (the backend's run folder for this namespace). */
  runDir?: string;
  /** How tools are started (default `agent`: see spawn-agent.ts). */
  spawn?: SpawnMode;
  /**
   * Fault injection for transaction tests: the forward operation with this index (counted over the
   * operations handed to `execute` without `continueOnError`, from construction or the last
   * {@link LinuxExecutor.injectFault}) fails with `EINJECTED` before it runs.
   */
  faultAt?: number;
}

type StageClass = 'ip' | 'sysctl' | 'firewall' | 'other';

function classOf(op: Operation): StageClass {
  if (isIpOperation(op)) return 'ip';
  if (op.kind === 'sysctl.set') return 'sysctl';
  if (op.kind === 'firewall.add' || op.kind === 'firewall.remove') return 'firewall';
  return 'other';
}

function asHostError(e: unknown, op: Operation): HostError {
  if (e instanceof HostError) return e.operation ? e : new HostError(e.code, e.message, op);
  const code = (e as NodeJS.ErrnoException)?.code;
  return new HostError(typeof code === 'string' ? code : 'EIO', e instanceof Error ? e.message : String(e), op);
}

/** A step result keyed by its index in the operations given to `execute`. */
type Indexed = { index: number; step: ExecutedStep };

/**
 * Runs plan operations on Linux.
 *
 * @example
 * const executor = new LinuxExecutor({ netns: 'vnt-1-host' });
 * const steps = await executor.execute(plan.operations);
 * console.log(executor.processCount); // e.g. 4
 */
export class LinuxExecutor implements OperationExecutor {
  readonly ctx: CommandContext;
  private faultAt: number | undefined;
  private forwardSeen = 0;

  constructor(options: LinuxExecutorOptions = {}) {
    this.ctx = new CommandContext(options.netns, options.runDir, options.spawn);
    this.faultAt = options.faultAt;
  }

  /** Processes spawned so far. */
  get processCount(): number {
    return this.ctx.counter.count;
  }

  /** Stop the spawn agent (if any) once its commands are done. */
  close(): Promise<void> {
    return this.ctx.close();
  }

  /** The namespace operations run in (undefined: the current one). */
  get netns(): string | undefined {
    return this.ctx.netns;
  }

  /** Make forward operation `index` (counted from now) fail before it runs; undefined clears it. */
  injectFault(index: number | undefined): void {
    this.faultAt = index;
    this.forwardSeen = 0;
  }

  async execute(operations: readonly Operation[], options: { continueOnError?: boolean } = {}): Promise<ExecutedStep[]> {
    const continueOnError = options.continueOnError ?? false;
    let ops = operations;
    let injected: ExecutedStep | undefined;
    if (!continueOnError && this.faultAt !== undefined) {
      const local = this.faultAt - this.forwardSeen;
      if (local >= 0 && local < ops.length) {
        const op = ops[local]!;
        injected = { operation: op, ok: false, undo: [], durationMs: 0, error: new HostError('EINJECTED', `fault injected before operation ${this.faultAt}`, op) };
        ops = ops.slice(0, local);
      }
    }
    if (continueOnError) return this.runCarryingOn(ops);
    const steps: ExecutedStep[] = [];
    if (this.canPipeline(ops)) {
      steps.push(...(await this.runPipelined(ops)));
      if (injected && steps.length === ops.length && steps.every((s) => s.ok)) steps.push(injected);
      this.forwardSeen += steps.length;
      return steps;
    }
    let i = 0;
    while (i < ops.length) {
      const cls = classOf(ops[i]!);
      let j = i + 1;
      if (cls !== 'other') while (j < ops.length && classOf(ops[j]!) !== 'other') j++;
      const run = ops.slice(i, j);
      const got = cls === 'other' ? [await this.single(run[0]!)] : await this.runStage(run);
      steps.push(...got);
      if (got.some((s) => !s.ok)) break;
      i = j;
    }
    if (injected && steps.length === ops.length && steps.every((s) => s.ok)) steps.push(injected);
    this.forwardSeen += steps.length;
    return steps;
  }

  /** A folder or file operation, synchronously (anything else goes through {@link single}). */
  private fileStepSync(op: Operation): ExecutedStep {
    const started = performance.now();
    try {
      let undo: Operation[];
      if (op.kind === 'file.write') undo = writeFileAtomicSync(op);
      else if (op.kind === 'file.remove') undo = removeFileSync(op);
      else if (op.kind === 'dir.create') undo = makeDirectorySync(op);
      else if (op.kind === 'dir.remove') undo = removeDirectorySync(op);
      else throw new HostError('ENOSYS', `operation ${op.kind} is not a synchronous file step`, op);
      return { operation: op, ok: true, undo, durationMs: performance.now() - started };
    } catch (e) {
      return { operation: op, ok: false, undo: [], error: asHostError(e, op), durationMs: performance.now() - started };
    }
  }

  /** A file, directory or dnsmasq operation. */
  private async single(op: Operation): Promise<ExecutedStep> {
    const started = performance.now();
    try {
      let undo: Operation[];
      switch (op.kind) {
        case 'file.write':
          undo = await writeFileAtomic(op);
          break;
        case 'file.remove':
          undo = await removeFile(op);
          break;
        case 'dir.create':
          undo = await makeDirectory(op);
          break;
        case 'dir.remove':
          undo = await removeDirectory(op);
          break;
        case 'dnsmasq.start':
          undo = await startDnsmasq(this.ctx, op);
          break;
        case 'dnsmasq.stop':
          undo = await stopDnsmasq(op);
          break;
        default:
          throw new HostError('ENOSYS', `operation ${op.kind} is not handled here`, op);
      }
      if (process.env.VIRTNET_TRACE === '1') process.stderr.write(`[virtnet] ${op.kind} took ${(performance.now() - started).toFixed(1)} ms\n`);
      return { operation: op, ok: true, undo, durationMs: performance.now() - started };
    } catch (e) {
      return { operation: op, ok: false, undo: [], error: asHostError(e, op), durationMs: performance.now() - started };
    }
  }

  /** A forward run of iproute2 / sysctl / firewall operations (see the module comment for the order). */
  private async runStage(run: readonly Operation[]): Promise<ExecutedStep[]> {
    if (!this.canHoist(run)) return this.runOrdered(run, false);

    const done = new Map<number, ExecutedStep>();
    let failure: Indexed | undefined;
    const limit = () => failure?.index ?? run.length;
    const phases: StageClass[] = ['ip', 'sysctl', 'firewall'];
    for (const phase of phases) {
      const picked: Array<{ index: number; op: Operation }> = [];
      run.forEach((op, index) => classOf(op) === phase && index < limit() && picked.push({ index, op }));
      if (picked.length === 0) continue;
      const results = await this.runClass(phase, picked, false);
      for (const r of results) {
        if (r.step.ok) done.set(r.index, r.step);
        else if (!failure || r.index < failure.index) failure = r;
      }
    }
    // Operations after the failure that did run (hoisted past it) are undone now, newest first.
    return this.reconcile(done, failure, run.length);
  }

  /**
   * The shape of a start plan: first a run of link/address/route, sysctl and firewall operations
   * (which may be hoisted), then only folders, files and dnsmasq.
   */
  private canPipeline(ops: readonly Operation[]): boolean {
    let i = 0;
    while (i < ops.length && classOf(ops[i]!) !== 'other') i++;
    if (i === 0 || !this.canHoist(ops.slice(0, i))) return false;
    if (!ops.slice(0, i).some((op) => op.kind === 'firewall.add' || op.kind === 'firewall.remove')) return false;
    return ops.slice(i).every((op) => classOf(op) === 'other' && op.kind !== 'dnsmasq.stop');
  }

  /**
   * A start plan as a pipeline of two waves:
   * 1. the `ip -batch` (bridge, addresses, link up, routes) and, at the same time, the folders,
   *    the files and then dnsmasq: with `bind-dynamic` (always in libvirt's conf) dnsmasq binds to
   *    the bridge's addresses whenever they appear, so it does not need the bridge yet;
   * 2. once the bridge exists: the firewall and the sysctls, at once (iptables rules, which name
   *    the bridge by name only, already go in during wave 1).
   * They share nothing: the rules name the bridge only, the sysctls concern the bridge's IPv6
   * autoconfiguration and forwarding, and a bridge without ports carries no traffic before its
   * rules are in. Results are put back in plan order; on a failure, whatever ran past it in
   * another branch is undone at once, so the engine sees "done up to the failure" as always.
   */
  private async runPipelined(ops: readonly Operation[]): Promise<ExecutedStep[]> {
    const done = new Map<number, ExecutedStep>();
    let failure: Indexed | undefined;
    const record = (results: readonly Indexed[]) => {
      for (const r of results) {
        if (r.step.ok) done.set(r.index, r.step);
        else if (!failure || r.index < failure.index) failure = r;
      }
    };
    const indexed = ops.map((op, index) => ({ index, op }));
    const of = (cls: StageClass) => indexed.filter((x) => classOf(x.op) === cls);
    // Folders and files synchronously (small; see files.ts), then dnsmasq is spawned before the
    // ip batch: it is the slowest process to get ready.
    const others = of('other');
    const firstDaemon = others.findIndex((x) => x.op.kind === 'dnsmasq.start');
    const before = firstDaemon < 0 ? others : others.slice(0, firstDaemon);
    const written: Indexed[] = [];
    for (const { index, op } of before) {
      written.push({ index, step: this.fileStepSync(op) });
      if (!written[written.length - 1]!.step.ok) break;
    }
    const host =
      written.some((r) => !r.step.ok) || firstDaemon < 0
        ? Promise.resolve(written)
        : this.runIndexed(others.slice(firstDaemon)).then((d) => [...written, ...d]);
    // iptables rules name interfaces by name only, so they can go in while the bridge is being
    // created; nftables' `iif`/`oif` resolve the bridge's index and must wait for it.
    const firewallOps = of('firewall');
    const early = firewallOps.every((x) => (x.op as FirewallOperation).backend === 'iptables');
    let firewall = early ? this.runIndexed(firewallOps) : undefined;
    // nft must wait for the bridge, but its start-up need not: it waits on its stdin meanwhile.
    if (!early && this.ctx.agent) this.ctx.prewarm('nft', NFT_ADD_ARGS, { timeoutMs: 30_000 });
    const ip = of('ip');
    if (ip.length > 0) record(await this.runIpBatch(ip as Array<{ index: number; op: IpOperation }>, false));
    if (failure) {
      const f = failure.index;
      record(await host);
      if (firewall) record(await firewall);
      const pending = indexed.filter((x) => (classOf(x.op) === 'sysctl' || (!early && classOf(x.op) === 'firewall')) && x.index < f);
      record(await this.runIndexed(pending));
    } else {
      firewall ??= this.runIndexed(firewallOps);
      const sysctls = this.runIndexed(of('sysctl'));
      record(await firewall);
      record(await sysctls);
      record(await host);
    }
    await this.ctx.dropPrewarmed();
    return this.reconcile(done, failure, ops.length);
  }

  /**
   * Teardown and undo lists (every operation runs, failures are reported and passed), in
   * concurrent branches: folders, files and dnsmasq in their order; the sysctls then every
   * iproute2 operation in one `ip -force -batch` (which puts a `link set … down` after the rule
   * removal it preceded); and the firewall removal. These lists hold only removals and restores,
   * and the bridge's sysctls are restored before it is deleted.
   *
   * The firewall removal runs beside the bridge's deletion when it does not need the bridge:
   * iptables deletes rules by interface name, and nft by the handles recorded at insertion
   * (deleting a bridge takes ~45 ms here, mostly the kernel waiting for RCU). An nft removal
   * without handles lists the rules and matches `iif "virbr0"`, which nft prints as a bare index
   * once the bridge is gone, so it runs first, while the bridge exists.
   */
  private async runCarryingOn(ops: readonly Operation[]): Promise<ExecutedStep[]> {
    const indexed = ops.map((op, index) => ({ index, op }));
    const only = (cls: StageClass) => indexed.filter((x) => classOf(x.op) === cls);
    let dnsmasqStopped!: () => void;
    const dnsmasqGone = new Promise<void>((resolve) => (dnsmasqStopped = resolve));
    let ipStarted!: () => void;
    const ipGoing = new Promise<void>((resolve) => (ipStarted = resolve));
    const host = async () => {
      const out: Indexed[] = [];
      // Once the ip process runs (see below).
      await ipGoing;
      for (const { index, op } of only('other')) {
        out.push({ index, step: await this.single(op) });
        if (op.kind === 'dnsmasq.stop') dnsmasqStopped();
      }
      dnsmasqStopped();
      return out;
    };
    const firewall = () => this.runClass('firewall', only('firewall'), true);
    const links = async () => {
      try {
        // (No await when there are no sysctls, so the ip batch is sent at once.)
        const sysctls = only('sysctl').length > 0 ? await this.runClass('sysctl', only('sysctl'), true) : [];
        const ip = only('ip') as Array<{ index: number; op: IpOperation }>;
        return [...sysctls, ...(ip.length > 0 ? await this.runIpBatch(ip, true, ipStarted) : [])];
      } finally {
        ipStarted();
      }
    };
    const net = async () => {
      if (!only('firewall').every(({ op }) => removalNeedsNoLink(op))) {
        ipStarted(); // (the host branch need not wait for an ip that comes after the firewall)
        return [...(await firewall()), ...(await links())];
      }
      // The link branch first, and the others once its ip process has been executed: it gets
      // going before they compete for the CPUs, then waits in the kernel (a bridge's deletion is
      // two RCU barriers) while they run. The firewall's process starts once dnsmasq has exited
      // (libvirt's order for those two), or once the links are done if that comes first. On a
      // host with few CPUs, nft's or iptables-restore's start-up, dnsmasq's exit and the ip
      // process at once slowed the deletion by 2-10 ms (measured on a 2-vCPU VM).
      const linkSteps = links();
      await Promise.race([dnsmasqGone, linkSteps]);
      return (await Promise.all([firewall(), linkSteps])).flat();
    };
    // The network side first, for the same reason.
    const networkSteps = net();
    const [a, b] = await Promise.all([host(), networkSteps]);
    const byIndex = new Map<number, ExecutedStep>();
    for (const r of [...a, ...b]) byIndex.set(r.index, r.step);
    return ops.map((op, index) => byIndex.get(index) ?? { operation: op, ok: false, undo: [], durationMs: 0, error: new HostError('EEXECUTOR', 'not run', op) });
  }

  /** Operations in order, consecutive ones of a class together (files written concurrently); stops at the first failure. */
  private async runIndexed(list: ReadonlyArray<{ index: number; op: Operation }>): Promise<Indexed[]> {
    const out: Indexed[] = [];
    let i = 0;
    while (i < list.length) {
      const cls = classOf(list[i]!.op);
      let j = i + 1;
      if (cls === 'other') {
        if (list[i]!.op.kind === 'file.write') while (j < list.length && list[j]!.op.kind === 'file.write') j++;
      } else {
        while (j < list.length && classOf(list[j]!.op) === cls) j++;
      }
      const group = list.slice(i, j);
      const results =
        cls === 'other'
          ? await Promise.all(group.map(async ({ index, op }) => ({ index, step: await this.single(op) })))
          : await this.runClass(cls, [...group], false);
      out.push(...results);
      if (results.some((r) => !r.step.ok)) break;
      i = j;
    }
    return out;
  }

  /** Steps in plan order up to the first failure; what ran past it is undone now, newest first. */
  private async reconcile(done: Map<number, ExecutedStep>, failure: Indexed | undefined, length: number): Promise<ExecutedStep[]> {
    const cutoff = failure?.index ?? length;
    const extra = [...done.entries()].filter(([index]) => index > cutoff).sort((a, b) => b[0] - a[0]);
    const undo = extra.flatMap(([, step]) => step.undo);
    if (undo.length > 0) await this.runOrdered(undo, true);
    const steps: ExecutedStep[] = [];
    for (let index = 0; index < cutoff; index++) {
      const step = done.get(index);
      if (!step) throw new Error(`internal: operation ${index} neither ran nor failed`);
      steps.push(step);
    }
    if (failure) steps.push(failure.step);
    return steps;
  }

  /** Hoisting is safe unless an IPv6 address depends on a `disable_ipv6` write, or links are deleted. */
  private canHoist(run: readonly Operation[]): boolean {
    const enabled = new Set<string>();
    for (const op of run) {
      if (op.kind === 'link.delete') return false;
      if (op.kind === 'sysctl.set' && op.key.endsWith('.disable_ipv6')) enabled.add(op.key);
      if (op.kind === 'address.add' && op.family === 'ipv6' && enabled.has(`net.ipv6.conf.${op.dev.replaceAll('.', '/')}.disable_ipv6`)) return false;
    }
    return true;
  }

  /** Consecutive operations of one class together, in plan order. */
  private async runOrdered(run: readonly Operation[], continueOnError: boolean): Promise<ExecutedStep[]> {
    const steps: ExecutedStep[] = [];
    let i = 0;
    while (i < run.length) {
      const cls = classOf(run[i]!);
      let j = i + 1;
      while (j < run.length && classOf(run[j]!) === cls) j++;
      const picked = run.slice(i, j).map((op, k) => ({ index: i + k, op }));
      const results = cls === 'other' ? [{ index: i, step: await this.single(run[i]!) }] : await this.runClass(cls, picked, continueOnError);
      if (cls === 'other') j = i + 1;
      steps.push(...results.map((r) => r.step));
      if (!continueOnError && results.some((r) => !r.step.ok)) return steps;
      i = j;
    }
    return steps;
  }

  private async runClass(cls: StageClass, picked: Array<{ index: number; op: Operation }>, continueOnError: boolean): Promise<Indexed[]> {
    switch (cls) {
      case 'ip':
        return this.runIpBatch(picked as Array<{ index: number; op: IpOperation }>, continueOnError);
      case 'sysctl':
        return this.runSysctls(picked as Array<{ index: number; op: SysctlOp }>, continueOnError);
      case 'firewall': {
        const out: Indexed[] = [];
        for (const { index, op } of picked) {
          const started = performance.now();
          try {
            const undo = await applyFirewallOperation(this.ctx, op as FirewallOperation);
            out.push({ index, step: { operation: op, ok: true, undo, durationMs: performance.now() - started } });
          } catch (e) {
            out.push({ index, step: { operation: op, ok: false, undo: [], error: asHostError(e, op), durationMs: performance.now() - started } });
            if (!continueOnError) break;
          }
        }
        return out;
      }
      case 'other':
        throw new Error('unreachable');
    }
  }

  private async runSysctls(picked: Array<{ index: number; op: SysctlOp }>, continueOnError: boolean): Promise<Indexed[]> {
    const out: Indexed[] = [];
    let rest = picked;
    while (rest.length > 0) {
      const started = performance.now();
      const outcomes = await applySysctls(this.ctx, rest.map((p) => p.op));
      const each = (performance.now() - started) / Math.max(outcomes.length, 1);
      outcomes.forEach((o, k) => {
        const step: ExecutedStep = { operation: o.op, ok: o.ok, undo: o.undo, durationMs: each };
        if (o.error) step.error = o.error;
        out.push({ index: rest[k]!.index, step });
      });
      const last = outcomes[outcomes.length - 1];
      if (!last || last.ok || !continueOnError) break;
      rest = rest.slice(outcomes.length);
    }
    return out;
  }

  /**
   * One `ip -batch -` for the operations. Without `continueOnError` iproute2 stops at the first
   * failing line (`Command failed -:N`): lines before it are done. With it, `-force` carries on and
   * every failing line is reported.
   */
  private async runIpBatch(picked: Array<{ index: number; op: IpOperation }>, continueOnError: boolean, onStarted?: () => void): Promise<Indexed[]> {
    const out: Indexed[] = [];
    const lines: string[] = [];
    let invalid: Indexed | undefined;
    for (const { index, op } of picked) {
      try {
        lines.push(batchLine(op));
      } catch (e) {
        invalid = { index, step: { operation: op, ok: false, undo: [], error: asHostError(e, op), durationMs: 0 } };
        break;
      }
    }
    const batched = picked.slice(0, lines.length);
    if (batched.length > 0) {
      const args = continueOnError ? ['-force', '-batch', '-'] : ['-batch', '-'];
      const started = performance.now();
      const r = await this.ctx.ip(args, { input: lines.map((l) => `${l}\n`).join(''), timeoutMs: 30_000, ...(onStarted ? { onStarted } : {}) });
      const each = (performance.now() - started) / batched.length;
      const failures = parseBatchFailures(r.stderr);
      if (r.code !== 0 && failures.size === 0) {
        // No line named (killed, timed out): nothing can be trusted as done; report the first.
        const { index, op } = batched[0]!;
        out.push({ index, step: { operation: op, ok: false, undo: [], durationMs: each, error: new HostError('ECOMMAND', describeFailure('ip', args, r), op) } });
        return out;
      }
      for (let k = 0; k < batched.length; k++) {
        const { index, op } = batched[k]!;
        const message = failures.get(k);
        if (message === undefined) {
          out.push({ index, step: { operation: op, ok: true, undo: ipUndo(op), durationMs: each } });
          continue;
        }
        const text = message || 'failed';
        if (alreadyGone(op, text)) {
          // Removals tolerate what is already gone (an IPv6 address goes when its link goes down).
          out.push({ index, step: { operation: op, ok: true, undo: [], durationMs: each } });
          if (!continueOnError) {
            out.push(...(await this.runIpBatch(picked.slice(k + 1), false)));
            return out;
          }
          continue;
        }
        out.push({ index, step: { operation: op, ok: false, undo: [], durationMs: each, error: new HostError(errnoOf(text), `ip ${lines[k]}: ${text}`, op) } });
        if (!continueOnError) return out;
      }
    }
    if (invalid) {
      out.push(invalid);
      if (continueOnError) out.push(...(await this.runIpBatch(picked.slice(batched.length + 1), true)));
    }
    return out;
  }
}

/** Whether a firewall removal finds its rules without the bridge (see `runCarryingOn`). */
function removalNeedsNoLink(op: Operation): boolean {
  return op.kind === 'firewall.remove' && (op.backend === 'iptables' || op.handles !== undefined);
}

/** Whether a removal failed only because its object no longer exists. */
function alreadyGone(op: IpOperation, message: string): boolean {
  if (op.kind !== 'link.delete' && op.kind !== 'address.delete' && op.kind !== 'route.delete') return false;
  return /Cannot find device|address not found|Cannot assign requested address|No such process|No such device|No such file or directory/.test(message);
}

/**
 * Failed batch lines (0-based) with iproute2's message for each: the stderr lines printed before
 * each `Command failed -:N` belong to line N.
 */
export function parseBatchFailures(stderr: string): Map<number, string> {
  const failures = new Map<number, string>();
  let pending: string[] = [];
  for (const line of stderr.split('\n')) {
    const n = failedLine(line);
    if (n !== undefined) {
      failures.set(n, pending.join('; ').trim());
      pending = [];
    } else if (line.trim()) {
      pending.push(line.trim());
    }
  }
  return failures;
}
