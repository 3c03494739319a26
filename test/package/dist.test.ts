/**
 * The built package as a user gets it: ESM and CommonJS entry points, `virtnet/testing`, and the
 * `virtnet` bin. `npm test` builds first; a bare `vitest run` without dist/ skips visibly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const built = existsSync(join(dist, 'index.js')) && existsSync(join(dist, 'cli.js'));
if (!built) console.warn('[package] SKIPPED: dist/ not built (npm test builds it; or run npm run build)');

const XML = "<network><name>pkg</name><uuid>0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6</uuid><forward/><bridge name='virbr9'/><ip address='10.9.0.1' prefix='24'/></network>";

describe.skipIf(!built)('built package', () => {
  it('exports the same API to ESM and CommonJS', async () => {
    const esm = await import(join(dist, 'index.js'));
    const cjs = createRequire(import.meta.url)(join(dist, 'index.cjs'));
    for (const name of ['parseNetwork', 'formatNetwork', 'validateNetwork', 'compileNetwork', 'LinuxBackend', 'MockBackend', 'defineNetwork']) {
      expect(typeof esm[name], name).toBe('function');
      expect(typeof cjs[name], name).toBe('function');
    }
    const text = esm.formatNetwork(esm.parseNetwork(XML));
    expect(cjs.formatNetwork(cjs.parseNetwork(XML))).toBe(text);
    expect(text).toContain("<bridge name='virbr9' stp='on' delay='0'/>");
  });

  it('exports virtnet/testing through the exports map', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const entry = pkg.exports['./testing'].import.default as string;
    const testing = await import(join(root, entry));
    expect(typeof testing.createMockHost).toBe('function');
    expect(typeof testing.startNetwork).toBe('function');
  });

  it('runs the virtnet bin', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const bin = join(root, pkg.bin.virtnet);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const out = execFileSync(process.execPath, [bin, 'format', '-'], { input: XML, encoding: 'utf8' });
    expect(out).toBe(`<network>
  <name>pkg</name>
  <uuid>0e2c3f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6</uuid>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
  <ip address='10.9.0.1' prefix='24'>
  </ip>
</network>
`);
    let code = 0;
    try {
      execFileSync(process.execPath, [bin, 'format', '--nope'], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).toBe(2);
  });

  // As root, run the bin as nobody — where nobody can read the checkout (CI may clone into a
  // private folder; then this test says so and skips).
  const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
  const canDropRoot =
    process.getuid?.() === 0 &&
    existsSync('/usr/bin/setpriv') &&
    spawnSync('/usr/bin/setpriv', [...asNobody, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(join(dist, 'cli.js'))})`]).status === 0;
  if (!canDropRoot) console.warn('[package] SKIPPED the non-root apply check: needs root, setpriv, and a checkout that user nobody can read');
  it.skipIf(!canDropRoot)('refuses apply without root in one clear line, before touching the host', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const bin = join(root, pkg.bin.virtnet);
    const example = join(root, 'examples', 'networks', 'default.xml');
    let status = 0;
    let stderr = '';
    try {
      // setpriv drops to nobody (uid/gid 65534) without a shell.
      execFileSync('/usr/bin/setpriv', [...asNobody, process.execPath, bin, 'apply', example], { stdio: 'pipe', encoding: 'utf8' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toBe('virtnet apply: needs root: it creates bridges and firewall rules and runs dnsmasq (use --dry-run to see the plan)\n');
  });
});
