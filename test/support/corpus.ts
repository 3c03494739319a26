/**
 * Locates libvirt's own test corpus: `$LIBVIRT_TESTS_DIR` (a libvirt `tests/` folder or the
 * shared conformance folder) or `../shared/conformance/libvirt` beside the repository. Suites skip
 * with a visible message when neither exists; the corpus is libvirt's data and never copied here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..', '..');

function locate(): { dir: string; source: string } | undefined {
  const fromEnv = process.env['LIBVIRT_TESTS_DIR'];
  if (fromEnv && existsSync(join(fromEnv, 'networkxml2xmlin'))) return { dir: resolve(fromEnv), source: '$LIBVIRT_TESTS_DIR' };
  const shared = resolve(repoRoot, '..', 'shared', 'conformance', 'libvirt');
  if (existsSync(join(shared, 'networkxml2xmlin'))) return { dir: shared, source: '../shared/conformance/libvirt' };
  return undefined;
}

const found = locate();

/** The corpus folder, or undefined when it is not available. */
export const corpusDir: string | undefined = found?.dir;

/** Say once, visibly, where the corpus comes from or why the suite skips. */
export function announceCorpus(suite: string): void {
  if (found) console.log(`[${suite}] libvirt corpus: ${found.dir} (from ${found.source})`);
  else
    console.warn(
      `[${suite}] SKIPPED: libvirt test corpus not found (set LIBVIRT_TESTS_DIR to a libvirt tests/ folder, or place it at ../shared/conformance/libvirt)`,
    );
}

/** One row of cases.tsv. */
export interface CorpusCase {
  driver: string;
  name: string;
  expectation: string;
  flags: string;
  inputs: string[];
  outputs: string[];
}

/** Every case of cases.tsv (empty without corpus). */
export function corpusCases(driver?: string): CorpusCase[] {
  if (!corpusDir) return [];
  const tsv = join(corpusDir, 'cases.tsv');
  if (!existsSync(tsv)) return [];
  const rows = readFileSync(tsv, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  return rows
    .map((line) => {
      const [d = '', name = '', expectation = '', flags = '', inputs = '', outputs = ''] = line.split('\t');
      return {
        driver: d,
        name,
        expectation,
        flags,
        inputs: inputs.split(' ').filter(Boolean),
        outputs: outputs === '(none)' ? [] : outputs.split(' ').filter(Boolean),
      };
    })
    .filter((c) => driver === undefined || c.driver === driver);
}

/** Read a corpus file by its path relative to the corpus folder. */
export function readCorpus(relative: string): string {
  if (!corpusDir) throw new Error('corpus not available');
  return readFileSync(join(corpusDir, relative), 'utf8');
}

/**
 * The libvirtd 9.0 host captures (`../shared/reference/libvirtd-9.0-captures` beside the
 * repository), or undefined when they are not there.
 */
export const capturesDir: string | undefined = (() => {
  const dir = resolve(repoRoot, '..', 'shared', 'reference', 'libvirtd-9.0-captures');
  return existsSync(dir) ? dir : undefined;
})();
