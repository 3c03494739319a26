/**
 * Benchmark: start and stop libvirt's default NAT network with the LinuxBackend inside a network
 * namespace (median of several runs, processes spawned per start/stop), and, where libvirtd is
 * installed, the same network started by a real libvirtd 9.0 in its own namespace (monolithic
 * daemon, only the network driver, tmpfs over its folders in a private mount namespace), then the
 * ratio. virtnet runs as a library with its spawn agent warm or cold, without it, and as the
 * `virtnet` command (Node's start-up included, as virsh's is in libvirtd's figure). Needs root.
 * Nothing touches the root namespace or the host's folders.
 *
 * Run: `npm run bench:apply [-- iterations]` (default 10; it builds dist/ for the CLI row).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LinuxBackend } from '../src/backend/linux/index.js';
import { spawnAgentStarts } from '../src/backend/linux/spawn-agent.js';
import { hasBinary, run } from '../src/backend/linux/run.js';
import { compileNetwork } from '../src/compile/compile.js';
import type { FirewallBackendName } from '../src/compile/plan.js';
import { parseNetwork } from '../src/xml/parse.js';

const iterations = Number(process.argv[2] ?? 10);
const repo = resolve(import.meta.dirname, '..');
const DEFAULT_XML = readFileSync(join(repo, 'examples', 'networks', 'default.xml'), 'utf8');
const NETWORK_DRIVER = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so';
const prefix = `vnt-${process.pid}-bench-`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function must(cmd: string, args: string[], input?: string) {
  const r = await run(cmd, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r;
}

const namespaces: string[] = [];
async function newNs(name: string): Promise<string> {
  const ns = prefix + name;
  await must('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  return ns;
}
async function dropNs(ns: string) {
  const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split(/\s+/).filter(Boolean).map(Number);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await run('ip', ['netns', 'del', ns]);
}

interface Figures {
  start: number[];
  stop: number[];
  startProcesses: number[];
  stopProcesses: number[];
}

/** One contender: set up once, then start/stop cycles, then clean up. */
interface Runner {
  name: string;
  figures: Figures & { virshNoop?: number[] };
  /** Process counts are pids handed out system-wide meanwhile (an upper bound). */
  systemWide?: boolean;
  cycle(): Promise<void>;
  close(): Promise<void>;
}

const emptyFigures = (): Figures => ({ start: [], stop: [], startProcesses: [], stopProcesses: [] });

/**
 * The pause before every timed start and stop, the same for every contender, taken after the
 * contender is brought to the state it is measured in: the previous step's leftovers (daemons
 * exiting, zombies reaped, a warm agent forking its spare children) settle first, so each start
 * and stop begins on a settled host, as a network is stopped some time after it started.
 */
const settle = () => new Promise((res) => setTimeout(res, 200));

/**
 * How a virtnet contender starts its tools:
 * - `warm`: through the spawn agent, already running (a long-lived program: libvirtd's daemon is
 *   warm too);
 * - `cold`: through the spawn agent, stopped before each start and stop, so each pays for the
 *   agent's start, as the first command of a `virtnet` CLI call does;
 * - `direct`: every tool spawned from Node (option `spawn: 'direct'`).
 */
type Variant = 'warm' | 'cold' | 'direct';

async function virtnetRunner(firewall: FirewallBackendName, variant: Variant, temp: string): Promise<Runner> {
  const ns = await newNs(`${firewall}-${variant}`);
  const base = join(temp, `${firewall}-${variant}`);
  mkdirSync(base, { mode: 0o755 });
  const plan = compileNetwork(parseNetwork(DEFAULT_XML), { firewallBackend: firewall, stateDir: join(base, 'lib'), pidDir: join(base, 'run'), leaseHelper: null });
  const backend = new LinuxBackend({ netns: ns, runDir: join(base, 'virtnet'), spawn: variant === 'direct' ? 'direct' : 'agent' });
  const agent = backend.executor.ctx.agent;
  // Untimed: bring the agent to the state the variant measures.
  const prepare = async () => {
    if (variant === 'warm') await agent?.usable();
    if (variant === 'cold') await agent?.close();
  };
  const figures = emptyFigures();
  return {
    name: `virtnet (${firewall}, ${variant})`,
    figures,
    async cycle() {
      await prepare();
      await settle();
      let agents = spawnAgentStarts();
      let t = performance.now();
      const up = await backend.apply(plan);
      figures.start.push(performance.now() - t);
      if (!up.ok) throw new Error(`virtnet apply failed: ${up.error?.message}`);
      // The tools, plus the agent if this start started it.
      figures.startProcesses.push(up.processes + spawnAgentStarts() - agents);
      if (process.env.VNT_BENCH_STEPS) console.log(firewall, variant, up.operations.map((o) => `${o.operation.kind}:${o.durationMs.toFixed(0)}`).join(' '));
      await prepare();
      await settle();
      agents = spawnAgentStarts();
      t = performance.now();
      const down = await backend.teardown(plan.network);
      figures.stop.push(performance.now() - t);
      if (!down.ok) throw new Error(`virtnet teardown failed: ${down.error?.message}`);
      figures.stopProcesses.push(down.processes + spawnAgentStarts() - agents);
    },
    close: async () => {
      await backend.close();
      await dropNs(ns);
    },
  };
}

/**
 * The `virtnet` command itself (dist/cli.js, built by the npm script), apply and destroy, timed
 * from outside like `virsh net-create` / `net-destroy`: Node's own start-up included, as virsh's is.
 */
async function cliRunner(temp: string): Promise<Runner | string> {
  const cli = join(repo, 'dist', 'cli.js');
  if (!existsSync(cli)) return 'dist/cli.js not built (run through `npm run bench:apply`)';
  const ns = await newNs('cli');
  const base = join(temp, 'cli');
  mkdirSync(base, { mode: 0o755 });
  const xmlFile = join(base, 'default.xml');
  writeFileSync(xmlFile, DEFAULT_XML);
  // destroy takes the namespace and the run folder; apply also the dnsmasq folders.
  const where = ['--netns', ns, '--run-dir', join(base, 'virtnet')];
  const folders = ['--state-dir', join(base, 'lib'), '--pid-dir', join(base, 'run')];
  const figures = emptyFigures();
  return {
    name: 'virtnet CLI (nftables; node dist/cli.js)',
    figures,
    systemWide: true,
    async cycle() {
      await settle();
      let p = lastPid();
      let t = performance.now();
      await must(process.execPath, [cli, 'apply', ...where, ...folders, xmlFile]);
      figures.start.push(performance.now() - t);
      // Node itself and everything it started (system-wide count, as for libvirtd).
      figures.startProcesses.push(pidsSince(p));
      await settle();
      p = lastPid();
      t = performance.now();
      await must(process.execPath, [cli, 'destroy', ...where, 'default']);
      figures.stop.push(performance.now() - t);
      figures.stopProcesses.push(pidsSince(p));
    },
    close: () => dropNs(ns),
  };
}

/** Last pid the kernel handed out (system-wide: an upper bound for a command's processes on a busy host). */
const lastPid = () => Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
const pidMax = () => Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
/** Pids handed out since `p` (pids wrap around at pid_max). */
const pidsSince = (p: number) => (lastPid() - p + pidMax()) % pidMax();

async function libvirtdRunner(temp: string): Promise<Runner | string> {
  if (!existsSync('/usr/sbin/libvirtd') || !existsSync(NETWORK_DRIVER) || !hasBinary('virsh') || !hasBinary('nsenter') || !hasBinary('unshare')) {
    return 'libvirtd, its network driver, virsh, nsenter or unshare not installed';
  }
  const ns = await newNs('libvirtd');
  let holder: ChildProcess | undefined;
  let daemon: ChildProcess | undefined;
  const close = async () => {
    daemon?.kill('SIGTERM');
    holder?.kill('SIGKILL');
    await dropNs(ns);
  };
  // A process holding a private mount namespace inside the network namespace.
  holder = spawn('ip', ['netns', 'exec', ns, 'unshare', '-m', '--propagation', 'private', 'sleep', '100000'], { stdio: 'ignore' });
  let spid = 0;
  for (let i = 0; i < 300 && !spid; i++) {
    const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split(/\s+/).filter(Boolean).map(Number);
    for (const p of pids) {
      try {
        if (readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\0')) spid = p;
      } catch {
        /* exited */
      }
    }
    if (!spid) await new Promise((r) => setTimeout(r, 10));
  }
  if (!spid) {
    await close();
    return 'could not start the mount-namespace holder';
  }
  const enter = ['-t', String(spid), '-m', '-n', '--'];
  // Everything libvirtd writes goes to tmpfs seen only in that mount namespace.
  for (const dir of ['/run', '/var/lib', '/var/cache', '/var/log', '/etc/libvirt']) await must('nsenter', [...enter, 'mount', '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', dir]);
  const drivers = join(temp, 'libvirt-drivers');
  mkdirSync(drivers);
  symlinkSync(NETWORK_DRIVER, join(drivers, 'libvirt_driver_network.so'));
  const xmlFile = join(temp, 'default.xml');
  writeFileSync(xmlFile, DEFAULT_XML);
  daemon = spawn('nsenter', [...enter, 'env', `LIBVIRT_DRIVER_DIR=${drivers}`, 'libvirtd'], { stdio: 'ignore' });
  const sock = `/proc/${spid}/root/run/libvirt/libvirt-sock`;
  for (let i = 0; i < 1000 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(sock)) {
    await close();
    return 'libvirtd did not open its socket';
  }
  const virsh = (args: string[]) => must('nsenter', [...enter, 'virsh', '-q', '-c', 'network:///system', ...args]);
  await virsh(['net-list', '--all']); // connect once so the driver is initialised
  const figures = { ...emptyFigures(), virshNoop: [] as number[] };
  return {
    name: 'libvirtd 9.0 (virsh net-create/destroy)',
    figures,
    systemWide: true,
    async cycle() {
      await settle();
      let t = performance.now();
      await virsh(['net-list', '--all']);
      figures.virshNoop.push(performance.now() - t);
      let p = lastPid();
      t = performance.now();
      await virsh(['net-create', xmlFile]);
      figures.start.push(performance.now() - t);
      // Minus the nsenter that becomes virsh; what is left is libvirtd's threads and children
      // and anything else the host started meanwhile.
      figures.startProcesses.push(pidsSince(p) - 1);
      await settle();
      p = lastPid();
      t = performance.now();
      await virsh(['net-destroy', 'default']);
      figures.stop.push(performance.now() - t);
      figures.stopProcesses.push(pidsSince(p) - 1);
    },
    close,
  };
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('bench/apply: needs root (network namespaces)');
    process.exit(2);
  }
  // On tmpfs, as libvirtd's folders are in its namespace (so neither pays for a disk's fsync).
  const temp = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'vnt-bench-'));
  chmodSync(temp, 0o755);
  try {
    console.log(`default NAT network (examples/networks/default.xml), ${iterations} start/stop cycles each, inside network namespaces`);
    const runners: Runner[] = [];
    for (const firewall of ['nftables', 'iptables'] as const) for (const variant of ['warm', 'cold', 'direct'] as const) runners.push(await virtnetRunner(firewall, variant, temp));
    const cli = await cliRunner(temp);
    if (typeof cli === 'string') console.log(`virtnet CLI: skipped (${cli})`);
    else runners.push(cli);
    const ours = runners.length;
    const lv = await libvirtdRunner(temp);
    if (typeof lv === 'string') console.log(`libvirtd: skipped (${lv})`);
    else runners.push(lv);
    try {
      // Interleaved, so a busy host slows every contender alike; each cycle settles first.
      for (let i = 0; i < iterations; i++) {
        for (const r of runners) {
          await r.cycle();
        }
      }
    } finally {
      for (const r of runners) await r.close().catch(() => undefined);
    }
    const rows: string[][] = [['', 'start median', 'stop median', 'start min', 'processes/start', 'processes/stop']];
    for (const r of runners) {
      const f = r.figures;
      const approx = r.systemWide ? '≤' : '';
      const first = r.systemWide ? '' : ` (first ${f.startProcesses[0]})`;
      rows.push([r.name, fmt(median(f.start)), fmt(median(f.stop)), fmt(Math.min(...f.start)), `${approx}${median(f.startProcesses)}${first}`, `${approx}${median(f.stopProcesses)}`]);
      if (f.virshNoop) rows.push(['  of which a no-op virsh call', fmt(median(f.virshNoop)), '', '', '', '']);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
    if (typeof lv !== 'string') {
      const lvStart = median(lv.figures.start);
      const lvNet = lvStart - median(lv.figures.virshNoop!);
      for (const r of runners.slice(0, ours)) {
        const ours = median(r.figures.start);
        console.log(`start, libvirtd / ${r.name}: ${(lvStart / ours).toFixed(1)}x (${(lvNet / ours).toFixed(1)}x without virsh's own start-up); stop: ${(median(lv.figures.stop) / median(r.figures.stop)).toFixed(1)}x`);
      }
    }
    console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    console.log(JSON.stringify({ iterations, figures: Object.fromEntries(runners.map((r) => [r.name, r.figures])) }));
  } finally {
    for (const ns of namespaces) await dropNs(ns).catch(() => undefined);
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
