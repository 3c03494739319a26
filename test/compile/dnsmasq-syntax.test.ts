/**
 * The real dnsmasq accepts every generated configuration: `dnsmasq --test --conf-file=F` on the
 * conf of each corpus network (transcribed, and parsed from the corpus XML),
 * with the hostsfile and addnhosts written beside it in a temporary state folder.
 * Skips visibly when dnsmasq is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CompileError } from '../../src/compile/errors.js';
import { dnsmasqConfig, dnsmasqPaths } from '../../src/compile/dnsmasq/index.js';
import type { Network } from '../../src/model/index.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { corpusCases, corpusDir, readCorpus } from '../support/corpus.js';
import { fields, networkOf } from './dnsmasq-arbitraries.js';
import { transcribedNetworks } from './dnsmasq-fixtures.js';

const DNSMASQ = process.env['DNSMASQ'] ?? '/usr/sbin/dnsmasq';
const haveDnsmasq = existsSync(DNSMASQ);
if (!haveDnsmasq) console.warn(`[dnsmasq-syntax] SKIPPED: ${DNSMASQ} not found (set $DNSMASQ to its path)`);

const stateDir = mkdtempSync(join(tmpdir(), 'virtnet-dnsmasq-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** libvirt's dnsmasq-options fixture holds `foo=bar`, which is no dnsmasq option; drop only that. */
function withoutFakeOptions(network: Network): Network {
  return network.dnsmasqOptions ? { ...network, dnsmasqOptions: network.dnsmasqOptions.filter((o) => o !== 'foo=bar') } : network;
}

function dnsmasqTest(id: string, network: Network): { status: number | null; output: string } {
  const options = { bridge: network.bridge?.name ?? 'virbr0', stateDir: join(stateDir, id), pidfile: join(stateDir, id, 'dnsmasq.pid') };
  rmSync(options.stateDir, { recursive: true, force: true });
  const files = dnsmasqConfig(withoutFakeOptions(network), options);
  const paths = dnsmasqPaths(network, options);
  // As at run time: both hosts files exist, empty when the network has none.
  mkdirSync(options.stateDir, { recursive: true });
  writeFileSync(paths.conf, files.conf, { mode: 0o600 });
  writeFileSync(paths.hostsfile, files.hostsfile ?? '');
  writeFileSync(paths.addnhosts, files.addnhosts ?? '');
  const run = spawnSync(DNSMASQ, ['--test', `--conf-file=${paths.conf}`], { encoding: 'utf8', timeout: 10_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe.skipIf(!haveDnsmasq)('dnsmasq --test accepts the generated conf', () => {
  for (const [name, network] of transcribedNetworks()) {
    it(name, () => {
      const result = dnsmasqTest(name, network);
      expect(result.output).toBe('dnsmasq: syntax check OK.');
      expect(result.status).toBe(0);
    });
  }

  it('and rejects a conf it should reject (the check can fail)', () => {
    const [, network] = transcribedNetworks().find(([n]) => n === 'dnsmasq-options')!;
    const options = { bridge: 'virbr0', stateDir: join(stateDir, 'fake') };
    mkdirSync(options.stateDir, { recursive: true });
    const paths = dnsmasqPaths(network, options);
    writeFileSync(paths.conf, dnsmasqConfig(network, options).conf);
    const run = spawnSync(DNSMASQ, ['--test', `--conf-file=${paths.conf}`], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('bad option at line 17');
  });
});

describe.skipIf(!haveDnsmasq || !corpusDir)('dnsmasq --test on every corpus network (parsed)', () => {
  for (const c of corpusCases('networkxml2conftest')) {
    it(c.name, () => {
      const result = dnsmasqTest(`parsed-${c.name}`, parseNetwork(readCorpus(c.inputs[0]!)));
      expect(result.output).toBe('dnsmasq: syntax check OK.');
      expect(result.status).toBe(0);
    });
  }
});

describe.skipIf(!haveDnsmasq)('dnsmasq reads accepted tricky values without a split or an extra line', () => {
  it('--test on 40 generated networks whose accepted values include unusual characters', () => {
    const dir = join(stateDir, 'tricky');
    mkdirSync(dir, { recursive: true });
    const samples = fc.sample(fields, { seed: 7, numRuns: 6000 });
    let tested = 0;
    let clean = 0;
    for (const sample of samples) {
      if (tested === 40) break;
      // The verbatim option is the user's own line; keep it a valid one here.
      const f = { ...sample, option: 'log-dhcp' };
      const unusual = [f.name, f.domain, f.fwdDomain, f.txtName, f.txtValue, f.service, f.protocol, f.srvDomain, f.target, f.tftpRoot, f.bootFile, f.hostName, f.id, f.host6Name].some(
        (v) => /[^A-Za-z0-9.]/.test(v.replace(/^\/srv\//, '')),
      );
      if (!unusual) continue;
      const options = { bridge: f.bridge, stateDir: dir, pidfile: join(dir, 'p.pid') };
      let files;
      try {
        files = dnsmasqConfig(networkOf(f), options);
      } catch (e) {
        if (e instanceof CompileError) continue;
        throw e;
      }
      tested++;
      const paths = dnsmasqPaths(networkOf(f), options);
      writeFileSync(paths.conf, files.conf);
      const run = spawnSync(DNSMASQ, ['--test', `--conf-file=${paths.conf}`], { encoding: 'utf8', timeout: 10_000 });
      const output = `${run.stdout}${run.stderr}`.trim();
      // dnsmasq may dislike a value (say, a domain it cannot canonicalise), but it must never see
      // an unknown option, an open quote, or a line number past the end of the file.
      expect(output, files.conf).not.toMatch(/bad option|missing "|unsupported option/);
      const at = / at line (\d+) of /.exec(output);
      if (at) expect(Number(at[1]), output).toBeLessThanOrEqual(files.conf.split('\n').length - 1);
      if (run.status === 0) clean++;
    }
    expect(tested).toBe(40);
    expect(clean).toBeGreaterThan(5);
  });
});
