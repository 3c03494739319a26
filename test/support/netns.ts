/**
 * Network namespaces for system tests. Every namespace is named `vnt-<pid>-<suffix>` so parallel
 * runs never collide and stale ones (whose pid is gone) can be swept; each test file creates its
 * own and removes them in afterAll, also when a test failed. Nothing here touches the root
 * namespace: every command runs with `ip -n NS` or `ip netns exec NS`.
 *
 * Topology ({@link createTopology}): `host` (where the network under test lives), `guest` (a
 * veth whose peer `vnetN` is plugged into the bridge), `outside` (198.51.100.2/24 via a veth to
 * host 198.51.100.1, with no route back to the guest subnets unless asked).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasBinary, run, type RunResult } from '../../src/backend/linux/run.js';

export const NETNS_PREFIX = `vnt-${process.pid}-`;

/** Why system tests cannot run here, or undefined when they can. */
export function systemTestSkipReason(tools: readonly string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'system tests need Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'system tests need root (network namespaces, bridges, firewall)';
  const missing = ['ip', ...tools].filter((t) => !hasBinary(t));
  if (missing.length > 0) return `missing tools: ${missing.join(', ')}`;
  return undefined;
}

/** Run a command, throwing with its output when it fails. */
export async function sh(cmd: string, args: readonly string[], input?: string, timeoutMs = 20_000): Promise<RunResult> {
  const r = await run(cmd, args, { ...(input !== undefined ? { input } : {}), timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr || r.stdout}`);
  return r;
}

/** Run a command in a namespace, returning the result whatever the exit status. */
export function inNs(ns: string, cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], { timeoutMs: options.timeoutMs ?? 20_000, ...(options.input !== undefined ? { input: options.input } : {}) });
}

const created = new Set<string>();
let counter = 0;

/** Create a fresh namespace `vnt-<pid>-<suffix><n>` with `lo` up. */
export async function createNamespace(suffix: string): Promise<string> {
  const name = `${NETNS_PREFIX}${suffix}${counter++}`;
  await sh('ip', ['netns', 'add', name]);
  created.add(name);
  await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Pids of every process in a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Kill every process in the namespace, then delete it. Never throws. */
export async function destroyNamespace(ns: string): Promise<void> {
  for (const pid of await namespacePids(ns).catch(() => [])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  created.delete(ns);
}

/** Remove every namespace this process created. */
export async function destroyAllNamespaces(): Promise<void> {
  for (const ns of [...created]) await destroyNamespace(ns);
}

/** Remove `vnt-<pid>-*` namespaces left by test runs whose process no longer exists. */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  const removed: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^vnt-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) {
      await destroyNamespace(name);
      removed.push(name);
    }
  }
  return removed;
}

/** The namespaces of one test scenario. */
export interface Topology {
  host: string;
  outside: string;
  guests: string[];
}

/**
 * host + outside (198.51.100.0/24, host side `out0` .1, outside `eth0` .2; the outside has no
 * route to the guest subnets) + `guests.length` guest namespaces, each with `eth0` (the given MAC)
 * whose peer `vnetN` sits in host, down and unplugged until {@link plugGuest}.
 */
export async function createTopology(guestMacs: readonly string[]): Promise<Topology> {
  const host = await createNamespace('h');
  const outside = await createNamespace('o');
  const guests: string[] = [];
  for (let i = 0; i < guestMacs.length; i++) guests.push(await createNamespace('g'));
  const lines = [`link add out0 type veth peer name eth0 netns ${outside}`, 'address add 198.51.100.1/24 dev out0', 'link set out0 up'];
  guestMacs.forEach((mac, i) => lines.push(`link add vnet${i} type veth peer name eth0 address ${mac} netns ${guests[i]}`));
  await sh('ip', ['-n', host, '-batch', '-'], lines.map((l) => `${l}\n`).join(''));
  await sh('ip', ['-n', outside, '-batch', '-'], 'address add 198.51.100.2/24 dev eth0\nlink set eth0 up\n');
  for (const g of guests) await sh('ip', ['-n', g, 'link', 'set', 'eth0', 'up']);
  return { host, outside, guests };
}

/** Plug guest i's host-side veth into the bridge and bring it up. */
export async function plugGuest(t: Topology, i: number, bridge: string): Promise<void> {
  await sh('ip', ['-n', t.host, '-batch', '-'], `link set vnet${i} master ${bridge}\nlink set vnet${i} up\n`);
}

/**
 * Everything a network could leave in a namespace and the state folders, in comparable form:
 * links (details, without timers), addresses, routes, the sysctls a network touches, the
 * iptables/ip6tables/nft rulesets (without counters and comments), files (path, mode, content)
 * and the processes.
 */
export async function snapshotHost(ns: string, dirs: readonly string[]): Promise<Record<string, unknown>> {
  // One iproute2 process: `address show -details` carries each link's details and addresses.
  const out = (await sh('ip', ['-n', ns, '-json', '-details', '-batch', '-'], 'address show\nroute show table all\n')).stdout.split('\n').filter((l) => l.startsWith('['));
  const links = (JSON.parse(out[0] ?? '[]') as Array<Record<string, unknown>>).map((l) => {
    const info = (l.linkinfo as { info_data?: Record<string, unknown> } | undefined)?.info_data;
    if (info) for (const k of Object.keys(info)) if (k.endsWith('_timer')) delete info[k];
    // Address lifetimes tick; keep what identifies an address.
    l.addr_info = ((l.addr_info as Array<Record<string, unknown>>) ?? []).map((i) => `${i.local}/${i.prefixlen} ${i.broadcast ?? ''} ${i.scope}`);
    return l;
  });
  const routes = JSON.parse(out[1] ?? '[]') as unknown[];
  const sysctlKeys = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.disable_ipv6', 'net.ipv6.conf.default.accept_ra'];
  for (const l of links) for (const s of ['disable_ipv6', 'accept_ra', 'autoconf']) sysctlKeys.push(`net.ipv6.conf.${String(l.ifname).replaceAll('.', '/')}.${s}`);
  const sysctls = (await inNs(ns, 'sysctl', ['-e', ...sysctlKeys])).stdout.split('\n').filter(Boolean).sort();
  const clean = (text: string) =>
    text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]').replace(/counter packets \d+ bytes \d+/g, 'counter'))
      .join('\n');
  const firewall: Record<string, string> = {};
  for (const tool of ['iptables-save', 'ip6tables-save']) if (hasBinary(tool)) firewall[tool] = clean((await inNs(ns, tool, [])).stdout);
  if (hasBinary('nft')) firewall.nft = clean((await inNs(ns, 'nft', ['list', 'ruleset'])).stdout);
  const files: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) {
        files.push(`${p}/ ${(st.mode & 0o7777).toString(8)}`);
        walk(p);
      } else files.push(`${p} ${(st.mode & 0o7777).toString(8)} ${JSON.stringify(readFileSync(p, 'utf8'))}`);
    }
  };
  for (const d of dirs) walk(d);
  const processes: string[] = [];
  for (const pid of await namespacePids(ns)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue; // reaped late by PID 1; not running
      processes.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // exited meanwhile
    }
  }
  return { links, routes, sysctls, firewall, files, processes: processes.sort() };
}

/** Live (non-zombie) processes in a namespace, as command lines. */
export async function liveProcesses(ns: string): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await namespacePids(ns)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * busybox udhcpc in a guest namespace: one DISCOVER/REQUEST exchange, no script that could touch
 * /etc/resolv.conf (`-s /bin/true`); the lease is read from udhcpc's own message. Returns the
 * leased address, or undefined (with the output) when there was none.
 *
 * Timing: before offering a dynamic address dnsmasq pings it and waits up to 3 s for a reply,
 * and answers no DHCP packet meanwhile. A second client's REQUEST sent during that wait is
 * answered only after it, so udhcpc must wait longer than 3 s in all for its three REQUESTs:
 * `-T 3` (as RFC 2131's own 4 s back-off would). With `-T 1` a client whose OFFER came just
 * before the other client's DISCOVER gave up after 3 s (seen once in CI).
 */
export async function udhcpcLease(guest: string, hostname: string, timeoutMs = 25_000): Promise<{ address?: string; output: string; ms: number }> {
  const started = performance.now();
  const r = await inNs(guest, 'busybox', ['udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '5', '-T', '3', '-x', `hostname:${hostname}`, '-s', '/bin/true'], { timeoutMs });
  const output = `${r.stdout}${r.stderr}`;
  const m = /lease of (\d+\.\d+\.\d+\.\d+) obtained/.exec(output);
  return { ...(m ? { address: m[1]! } : {}), output, ms: performance.now() - started };
}

/** `dig +short` against a server from a namespace; the answer lines. */
export async function dig(ns: string, server: string, name: string, type = 'A'): Promise<string[]> {
  const r = await inNs(ns, 'dig', ['+short', '+time=2', '+tries=2', `@${server}`, name, type]);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** One ping from a namespace; whether a reply came back. */
export async function ping(ns: string, address: string, waitSeconds = 2): Promise<boolean> {
  const r = await inNs(ns, 'busybox', ['ping', '-c', '1', '-W', String(waitSeconds), address], { timeoutMs: (waitSeconds + 3) * 1000 });
  return r.code === 0;
}

/**
 * Capture ICMP echo requests on `dev` in a namespace while `action` runs; returns tcpdump's
 * one-line summaries (`IP 198.51.100.1 > 198.51.100.2: ICMP echo request, …`).
 */
export async function captureIcmp(ns: string, dev: string, action: () => Promise<unknown>): Promise<string[]> {
  const { spawn } = await import('node:child_process');
  const child = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', dev, '-n', '-l', '-c', '1', 'icmp[icmptype] == icmp-echo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    await action();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), 3_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    child.kill('SIGKILL');
  }
  return out.split('\n').filter((l) => l.includes(' IP '));
}
