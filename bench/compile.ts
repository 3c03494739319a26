/**
 * Compile-time benchmark: how long `compileNetwork` takes, and how much memory it needs, for a
 * NAT network with 1,000 and with 10,000 static DHCP hosts (plus as many DNS host records).
 * The time per host must stay flat between the two sizes (no quadratic step).
 *
 * Run: `npx tsx bench/compile.ts` (add `--expose-gc` through NODE_OPTIONS for steadier memory
 * figures: `NODE_OPTIONS=--expose-gc npx tsx bench/compile.ts`).
 */
import { performance } from 'node:perf_hooks';
import { compileNetwork } from '../src/compile/index.js';
import { defineNetwork, type Network, type NetworkInit } from '../src/model/index.js';

/** A NAT network on 10.0.0.0/16 with `hosts` static DHCP hosts and DNS host records. */
function buildNetwork(hosts: number): Network {
  const dhcpHosts: NonNullable<NonNullable<NetworkInit['ips']>[number]['dhcp']>['hosts'] = [];
  const dnsHosts: NonNullable<NonNullable<NetworkInit['dns']>['hosts']> = [];
  for (let i = 0; i < hosts; i++) {
    const hi = (i >> 8) & 0xff;
    const lo = i & 0xff;
    const ip = `10.0.${1 + hi}.${lo}`;
    const mac = `52:54:00:${(i >> 16).toString(16).padStart(2, '0')}:${hi.toString(16).padStart(2, '0')}:${lo.toString(16).padStart(2, '0')}`;
    dhcpHosts.push({ mac, name: `guest${i}`, ip });
    dnsHosts.push({ ip, hostnames: [`host${i}`] });
  }
  return defineNetwork({
    name: `bench${hosts}`,
    forward: { mode: 'nat' },
    bridge: { name: 'virbr9', stp: true, delay: 0 },
    mac: '52:54:00:00:00:01',
    domain: { name: 'bench.test', localOnly: true },
    dns: { hosts: dnsHosts },
    ips: [
      {
        address: '10.0.0.1',
        prefix: 16,
        dhcp: { ranges: [{ start: '10.0.200.1', end: '10.0.250.254' }], hosts: dhcpHosts },
      },
      { family: 'ipv6', address: 'fd00:beef::1', prefix: 64 },
    ],
  });
}

const gc = (globalThis as { gc?: () => void }).gc;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Size {
  hosts: number;
  network: Network;
  /** Wall-clock milliseconds per compile. */
  times: number[];
  /** CPU milliseconds per compile (all threads of the process, GC helpers included). */
  cpu: number[];
  operations: number;
}

/**
 * One timed compile; the plan is dropped at once so the heap stays at one plan. CPU time is
 * reported beside wall time because a loaded machine (other test runs) preempts long compiles
 * far more often than short ones, which skews a wall-clock ratio; CPU time is not preempted.
 */
function timeOnce(size: Size): void {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const plan = compileNetwork(size.network);
  size.times.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  size.cpu.push((cpu.user + cpu.system) / 1000);
  size.operations = plan.operations.length;
}

/** Ten short compiles timed together: CPU accounting is too coarse for one 1 ms compile. */
function timeBatch(size: Size, count: number): void {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) size.operations = compileNetwork(size.network).operations.length;
  size.times.push((performance.now() - start) / count);
  const cpu = process.cpuUsage(cpuStart);
  size.cpu.push((cpu.user + cpu.system) / 1000 / count);
}

/** Heap one compile allocates and keeps alive (the plan with its dnsmasq files and rules). */
function planHeapMiB(network: Network): number {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const plan = compileNetwork(network);
  const after = process.memoryUsage().heapUsed;
  if (plan.operations.length === 0) throw new Error('empty plan');
  return (after - before) / 2 ** 20;
}

const sizes: Size[] = [1_000, 10_000].map((hosts) => ({ hosts, network: buildNetwork(hosts), times: [], cpu: [], operations: 0 }));
const [small, large] = sizes as [Size, Size];
// Warm-up, then interleave the two sizes (10 small compiles per large one: equal host counts) so
// that machine load and GC state weigh on both alike.
for (let i = 0; i < 3; i++) for (const size of sizes) compileNetwork(size.network);
const rounds = Number(process.env.ROUNDS ?? 15);
for (let round = 0; round < rounds; round++) {
  timeBatch(small, 10);
  timeOnce(large);
}

const rows = sizes.map((size) => {
  const med = median(size.times);
  // The 1,000-host compiles are timed 10 to a round: their figures are the round's total / 10.
  const cpuMed = median(size.cpu);
  return { size, med, cpuMed, perHostMed: (med * 1000) / size.hosts, perHostCpu: (cpuMed * 1000) / size.hosts };
});
for (const r of rows) {
  console.log(
    `${String(r.size.hosts).padStart(6)} hosts: ${r.med.toFixed(2)} ms wall, ${r.cpuMed.toFixed(2)} ms CPU per compile (medians); ` +
      `${r.perHostMed.toFixed(2)} µs/host wall, ${r.perHostCpu.toFixed(2)} µs/host CPU; ` +
      `plan heap ${planHeapMiB(r.size.network).toFixed(1)} MiB; ${r.size.operations} operations`,
  );
}
const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
console.log(
  `time per host, 10,000 vs 1,000 hosts: ratio ${(b.perHostMed / a.perHostMed).toFixed(2)} wall, ` +
    `${(b.perHostCpu / a.perHostCpu).toFixed(2)} CPU; flat is 1.00`,
);
// A reference for "flat" on this machine: one linear pass over the same data (JSON.stringify of
// the network), timed the same way. Its ratio shows what cache and GC effects alone cost.
const baseline = sizes.map((size) => {
  const cpu: number[] = [];
  const reps = size.hosts === 1_000 ? 10 : 1;
  for (let round = 0; round < rounds; round++) {
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < reps; i++) JSON.stringify(size.network);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000 / reps);
  }
  return (median(cpu) * 1000) / size.hosts;
});
console.log(
  `reference (JSON.stringify of the same network): ${baseline[0]!.toFixed(2)} vs ${baseline[1]!.toFixed(2)} µs/host CPU, ` +
    `ratio ${(baseline[1]! / baseline[0]!).toFixed(2)}`,
);
console.log(
  `peak RSS of the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB` +
    (gc ? '' : ' [heap figures need NODE_OPTIONS=--expose-gc]'),
);
