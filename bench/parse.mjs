// Micro benchmark of parseNetwork on a network with N DHCP hosts, next to bare saxes on the same
// text (the floor any saxes-based parser has). Run: npx tsx bench/parse.mjs
// Reports the best of several batches of process CPU time (not wall time), so that a busy machine
// disturbs the figures less.
import { SaxesParser } from 'saxes';
import { parseNetwork } from '../src/xml/parse.ts';

function doc(n) {
  let hosts = '';
  for (let i = 0; i < n; i++) {
    const a = (i >> 8) & 255;
    const b = i & 255;
    const hex = (x) => x.toString(16).padStart(2, '0');
    hosts += `      <host mac='52:54:00:${hex(i >> 16)}:${hex(a)}:${hex(b)}' name='host${i}' ip='10.${i >> 16}.${a}.${b === 0 ? 1 : b}'/>\n`;
  }
  return `<network>\n  <name>big</name>\n  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n  <forward mode='nat'/>\n  <bridge name='virbr9' stp='on' delay='0'/>\n  <ip address='10.0.0.1' prefix='8'>\n    <dhcp>\n      <range start='10.0.0.2' end='10.0.255.254'/>\n${hosts}    </dhcp>\n  </ip>\n</network>\n`;
}

function bareSaxes(xml) {
  const p = new SaxesParser({ xmlns: false, position: true });
  p.on('opentag', () => {});
  p.on('text', () => {});
  p.write(xml).close();
}

function best(fn, rounds, batches = 7) {
  let min = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) fn();
    const d = process.cpuUsage(t0);
    min = Math.min(min, (d.user + d.system) / 1000 / rounds);
  }
  return min;
}

for (const n of [1000, 10000]) {
  const xml = doc(n);
  const rounds = n === 1000 ? 200 : 20;
  const saxes = best(() => bareSaxes(xml), rounds);
  const parse = best(() => parseNetwork(xml), rounds);
  console.log(
    `${n} hosts (${xml.length} bytes): parseNetwork ${parse.toFixed(3)} ms (${((parse * 1000) / n).toFixed(2)} µs/host), bare saxes ${saxes.toFixed(3)} ms`,
  );
}
