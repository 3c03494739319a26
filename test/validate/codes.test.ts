/**
 * Every problem code has a test that asserts its code, path and message (an `expectProblem` call
 * in this folder), and every code the sources emit is in PROBLEM_CODES.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '../../src/validate/index.js';

const here = import.meta.dirname;
const srcDir = resolve(here, '..', '..', 'src', 'validate');

function read(dir: string, suffix: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('problem codes', () => {
  it('are unique and dotted', () => {
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
    for (const code of PROBLEM_CODES) expect(code).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('each have an expectProblem test', () => {
    const tests = read(here, '.test.ts');
    const asserted = new Set<string>();
    // expectProblem(<network expression>, '<code>', '<path>', …): the code is the first quoted
    // dotted string after the call opens.
    const calls = tests.split('expectProblem(').slice(1);
    for (const call of calls) {
      const rest = call;
      const code = /'([a-z0-9-]+(?:\.[a-z0-9-]+)+)'\s*,\s*'\/network/.exec(rest);
      if (code) asserted.add(code[1]!);
    }
    const missing = PROBLEM_CODES.filter((c) => !asserted.has(c));
    expect(missing).toEqual([]);
  });

  it('emitted by the sources are all listed', () => {
    const sources = read(srcDir, '.ts');
    const emitted = new Set<string>();
    for (const m of sources.matchAll(/c\.(?:error|warning)\(\s*'([^']+)'/g)) emitted.add(m[1]!);
    for (const m of sources.matchAll(/'(dns\.srv\.[a-z]+\.out-of-range)'/g)) emitted.add(m[1]!);
    emitted.add('string.unsafe-char');
    expect([...emitted].filter((c) => !(PROBLEM_CODES as readonly string[]).includes(c))).toEqual([]);
    expect(PROBLEM_CODES.filter((c) => !emitted.has(c))).toEqual([]);
  });
});
