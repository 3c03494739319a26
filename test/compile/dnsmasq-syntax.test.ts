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
import { afterAll, describe, expect, it } from 'vitest';
import { dnsmasqConfig, dnsmasqPaths } from '../../src/compile/dnsmasq/index.js';
import type { Network } from '../../src/model/index.js';
import { parseNetwork } from '../../src/xml/parse.js';
import { corpusCases, corpusDir, readCorpus } from '../support/corpus.js';
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
