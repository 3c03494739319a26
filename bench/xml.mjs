// Benchmark of the XML layer: parse+format round trips of libvirt's default network and of
// networks with 1,000 and 10,000 DHCP hosts, with peak memory measured in a separate child process
// per document, next to libvirt's own parser+formatter (python3-libvirt, test:///default driver:
// networkDefineXML + XMLDesc + undefine in an in-process loop timed inside python) when available.
//
// Run: `npm run bench:xml` (built dist/), or `npx tsx bench/xml.ts` (straight from src/, no build).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fromSrc = globalThis.__virtnetBenchFromSrc === true || !existsSync(join(here, '..', 'dist', 'index.js'));
let lib;
try {
  lib = fromSrc ? await import('../src/xml/index.ts') : await import('../dist/index.js');
} catch (error) {
  console.error(`cannot load virtnet (${fromSrc ? 'src/, needs tsx: npx tsx bench/xml.ts' : 'dist/: npm run build'}): ${error.message}`);
  process.exit(1);
}
const { parseNetwork, formatNetwork } = lib;

// --- documents ---------------------------------------------------------------------------------

/** libvirt's default network (src/network/default.xml.in), as libvirt formats it. */
const DEFAULT_NETWORK = `<network>
  <name>default</name>
  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
`;

function hex(x) {
  return x.toString(16).padStart(2, '0');
}

/** A NAT network on 10.0.0.0/8 with `n` static DHCP hosts (mac + name + ip each). */
function hostsNetwork(n) {
  let hosts = '';
  for (let i = 0; i < n; i++) {
    const a = (i >> 8) & 255;
    const b = i & 255;
    hosts += `      <host mac='52:54:00:${hex(i >> 16)}:${hex(a)}:${hex(b)}' name='host${i}' ip='10.1.${a}.${b}'/>\n`;
  }
  return (
    `<network>\n  <name>hosts${n}</name>\n  <uuid>81ff0d90-c91e-6742-64da-4a736edb${String(n).padStart(4, '0').slice(-4)}</uuid>\n` +
    `  <forward mode='nat'/>\n  <bridge name='virbr9' stp='on' delay='0'/>\n` +
    `  <ip address='10.0.0.1' netmask='255.0.0.0'>\n    <dhcp>\n      <range start='10.0.0.2' end='10.0.255.254'/>\n${hosts}    </dhcp>\n  </ip>\n</network>\n`
  );
}

const DOCS = [
  { key: 'default', label: 'default NAT network', hosts: 0, xml: DEFAULT_NETWORK },
  { key: 'hosts1000', label: '1,000 DHCP hosts', hosts: 1000, xml: hostsNetwork(1000) },
  { key: 'hosts10000', label: '10,000 DHCP hosts', hosts: 10000, xml: hostsNetwork(10000) },
];

// --- timing ------------------------------------------------------------------------------------

let sink = 0;
/** Consume a string so that computing it cannot be optimised away. */
function use(s) {
  sink = (sink + s.charCodeAt(s.length >> 1)) | 0;
}

/** Mean ms per call of the fastest of several batches of about `budgetMs` each. */
function best(fn, budgetMs = 60, batches = 7) {
  // Warm up (JIT, inline caches) before calibrating the batch size.
  let calls = 0;
  const warm = performance.now();
  while (performance.now() - warm < budgetMs) {
    fn();
    calls++;
  }
  const once = Math.max((performance.now() - warm) / calls, 0.0005);
  const rounds = Math.max(1, Math.min(200_000, Math.round(budgetMs / once)));
  let min = Infinity;
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) fn();
    min = Math.min(min, (performance.now() - start) / rounds);
  }
  return min;
}

/** Child mode: round trips of one document, then report peak RSS and heap. */
function child(key) {
  if (key === 'baseline') {
    // The same process with the library loaded and nothing done: what every child starts from.
    process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
    return;
  }
  const doc = DOCS.find((d) => d.key === key);
  const rounds = doc.hosts >= 10000 ? 30 : doc.hosts >= 1000 ? 300 : 20000;
  const before = process.memoryUsage();
  let maxHeap = before.heapUsed;
  let out = '';
  for (let i = 0; i < rounds; i++) {
    out = formatNetwork(parseNetwork(doc.xml));
    if ((i & 15) === 0) maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
  }
  if (out !== doc.xml) throw new Error(`round trip of ${key} is not byte-identical`);
  process.stdout.write(
    JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, baseHeap: before.heapUsed, maxHeap }),
  );
}

if (process.argv[2] === '--child') {
  child(process.argv[3]);
  process.exit(0);
}

// --- libvirt -----------------------------------------------------------------------------------

const LIBVIRT_SCRIPT = `
import json, resource, sys, time, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open('test:///default')
try:
    n = c.networkLookupByName('default'); n.destroy(); n.undefine()
except libvirt.libvirtError:
    pass
result = {}
for key, path, rounds in json.loads(sys.argv[1]):
    xml = open(path).read()
    n = c.networkDefineXML(xml); same = n.XMLDesc(0) == xml; n.undefine()
    best = {'roundtrip': 1e9, 'define': 1e9, 'format': 1e9}
    for batch in range(5):
        t_def = t_fmt = 0.0
        start = time.perf_counter()
        for i in range(rounds):
            t0 = time.perf_counter(); n = c.networkDefineXML(xml)
            t1 = time.perf_counter(); n.XMLDesc(0)
            t2 = time.perf_counter(); n.undefine()
            t_def += t1 - t0; t_fmt += t2 - t1
        total = time.perf_counter() - start
        best['roundtrip'] = min(best['roundtrip'], total / rounds * 1000)
        best['define'] = min(best['define'], t_def / rounds * 1000)
        best['format'] = min(best['format'], t_fmt / rounds * 1000)
    best['identical'] = same
    result[key] = best
result['maxRssKiB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(result))
`;

function runLibvirt(docs) {
  const python = '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import libvirt'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'python3-libvirt not importable by /usr/bin/python3' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'virtnet-bench-'));
  try {
    const jobs = docs.map((d) => {
      const path = join(dir, `${d.key}.xml`);
      writeFileSync(path, d.xml);
      return [d.key, path, d.hosts >= 10000 ? 10 : d.hosts >= 1000 ? 100 : 5000];
    });
    const run = spawnSync(python, ['-c', LIBVIRT_SCRIPT, JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) return { skipped: `libvirt run failed: ${run.stderr.trim().split('\n').pop()}` };
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- report ------------------------------------------------------------------------------------

function fmtMs(ms) {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}
function perSec(ms) {
  return Math.round(1000 / ms).toLocaleString('en-US');
}
function pad(s, n) {
  return String(s).padEnd(n);
}

function childMemory(key) {
  return JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', key], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    }),
  );
}

console.log(`virtnet XML benchmark — ${fromSrc ? 'src/ via tsx' : 'dist/'}; node ${process.version}`);
const ours = {};
for (const d of DOCS) {
  const model = parseNetwork(d.xml);
  const check = formatNetwork(model);
  if (check !== d.xml) throw new Error(`${d.key}: our round trip is not byte-identical`);
  // Three interleaved passes, keeping the best of each: a busy machine disturbs less. Every
  // result is used (a string read in its middle, which also flattens it as writing it out
  // would), so the optimiser cannot drop the work.
  let roundtrip = Infinity;
  let parse = Infinity;
  let format = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    roundtrip = Math.min(roundtrip, best(() => use(formatNetwork(parseNetwork(d.xml)))));
    parse = Math.min(parse, best(() => use(parseNetwork(d.xml).name)));
    format = Math.min(format, best(() => use(formatNetwork(model))));
  }
  const mem = childMemory(d.key);
  ours[d.key] = { roundtrip, parse, format, mem };
}
const baselineKiB = childMemory('baseline').maxRssKiB;
const libvirt = runLibvirt(DOCS);

const rows = [];
for (const d of DOCS) {
  const o = ours[d.key];
  const l = libvirt.skipped ? undefined : libvirt[d.key];
  rows.push([
    `${d.label} (${(d.xml.length / 1024).toFixed(1)} KiB)`,
    `${fmtMs(o.roundtrip)} (${perSec(o.roundtrip)}/s)`,
    l ? `${fmtMs(l.roundtrip)} (${perSec(l.roundtrip)}/s)` : '—',
    l ? `${(l.roundtrip / o.roundtrip).toFixed(2)}×` : '—',
    `${fmtMs(o.parse)} / ${fmtMs(o.format)}`,
    l ? `${fmtMs(l.define)} / ${fmtMs(l.format)}` : '—',
    d.hosts ? `${((o.roundtrip * 1000) / d.hosts).toFixed(2)}` : '',
    d.hosts && l ? `${((l.roundtrip * 1000) / d.hosts).toFixed(2)}` : '',
    `${(o.mem.maxRssKiB / 1024).toFixed(0)} MiB (+${((o.mem.maxRssKiB - baselineKiB) / 1024).toFixed(0)})`,
    `${((o.mem.maxHeap - o.mem.baseHeap) / 1048576).toFixed(1)} MiB`,
  ]);
}
const header = ['document', 'virtnet parse+format', 'libvirt define+XMLDesc+undefine', 'libvirt/virtnet', 'virtnet parse / format', 'libvirt define / XMLDesc', 'virtnet µs/host', 'libvirt µs/host', 'virtnet peak RSS (+ over idle)', 'virtnet peak heap growth'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
console.log(header.map((h, i) => pad(h, widths[i])).join(' | '));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(r.map((c, i) => pad(c, widths[i])).join(' | '));
if (libvirt.skipped) console.log(`libvirt: skipped (${libvirt.skipped})`);
else {
  console.log(`libvirt python process peak RSS (all documents, incl. libvirt itself): ${(libvirt.maxRssKiB / 1024).toFixed(0)} MiB`);
  const notSame = DOCS.filter((d) => !libvirt[d.key].identical).map((d) => d.key);
  console.log(notSame.length ? `libvirt output differs from ours for: ${notSame.join(', ')}` : 'libvirt formats every document byte-identically to ours');
}
if (sink === 0.5) console.log(sink);
console.log(
  `virtnet memory: one child process per document running repeated round trips; peak RSS from process.resourceUsage().maxRSS, idle child with the library loaded: ${(baselineKiB / 1024).toFixed(0)} MiB; heap growth sampled with process.memoryUsage().`,
);
