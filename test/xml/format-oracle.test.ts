/**
 * libvirt itself as the oracle: generated networks are formatted, defined in libvirt's test
 * driver (python3-libvirt, test:///default), and libvirt's XMLDesc must give our bytes back.
 * Runs only where `/usr/bin/python3 -c 'import libvirt'` works; skips visibly otherwise.
 *
 * The installed libvirt may be older than 11.3, so features it lacks are left out of the
 * generated networks (title/description, domain register, driver model and name xen, dnsmasq
 * options, which the test driver does not register). Our deliberate departure — TAB/LF/CR in
 * single-quoted attributes written as character references — is undone before comparing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Network } from '../../src/model/index.js';
import { formatNetwork } from '../../src/xml/index.js';
import { networkArb } from '../support/arbitraries.js';

const PYTHON = '/usr/bin/python3';

function libvirtAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import libvirt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = libvirtAvailable();
if (!available) console.warn('[format-oracle] SKIPPED: python3-libvirt not importable by /usr/bin/python3');

/** Reads a JSON list of documents on stdin, prints a JSON list of XMLDesc outputs (or errors). */
const ORACLE = `
import json, sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open('test:///default')
try:
    n = c.networkLookupByName('default'); n.destroy(); n.undefine()
except libvirt.libvirtError:
    pass
out = []
for xml in json.load(sys.stdin):
    try:
        n = c.networkDefineXML(xml); out.append(n.XMLDesc(0)); n.undefine()
    except libvirt.libvirtError as e:
        out.append('ERROR: ' + str(e))
json.dump(out, sys.stdout)
`;

function forOldLibvirt(m: Network): Network {
  const x = structuredClone(m) as Network & Record<string, unknown>;
  delete x.title;
  delete x.description;
  delete x.dnsmasqOptions;
  if (x.domain) delete x.domain.register;
  if (x.forward?.driver) {
    delete x.forward.driver.model;
    if (x.forward.driver.name === 'xen') x.forward.driver.name = 'vfio';
  }
  return x;
}

/** Our output with character references in single-quoted attributes put back as raw bytes. */
function asLibvirtWritesIt(xml: string): string {
  return xml
    .split('\n')
    .map((line) => (line.includes('="') ? line : line.replace(/&#9;/g, '\t').replace(/&#10;/g, '\n').replace(/&#13;/g, '\r')))
    .join('\n');
}

describe.skipIf(!available)('libvirt as oracle', () => {
  it('libvirt formats 300 generated networks exactly as we do', () => {
    const models = fc.sample(networkArb, { numRuns: 300, seed: 20260530 }).map(forOldLibvirt);
    const docs = models.map((m) => formatNetwork(m));
    const run = spawnSync(PYTHON, ['-c', ORACLE], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(run.status, run.stderr).toBe(0);
    const outputs = JSON.parse(run.stdout) as string[];
    expect(outputs).toHaveLength(docs.length);
    const mismatches = docs.flatMap((doc, i) => (outputs[i] === asLibvirtWritesIt(doc) ? [] : [{ ours: doc, libvirt: outputs[i] }]));
    expect(mismatches.slice(0, 2)).toEqual([]);
  });
});
