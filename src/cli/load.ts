/**
 * Turning a FILE argument into a checked network, with errors rendered as
 * `FILE:LINE:COL: PATH: message`.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { NetworkXmlError, parseNetwork } from '../xml/index.js';
import { validateNetwork, type Problem } from '../validate/index.js';
import type { Io } from './io.js';
import { readInput } from './io.js';

/** A failure already reported to the user; the CLI exits with `exitCode`. */
export class ReportedError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** `FILE:LINE:COL: PATH: message` (line and column omitted when unknown). */
export function renderLocated(file: string, line: number | undefined, column: number | undefined, path: string, message: string): string {
  const where = line !== undefined ? `${file}:${line}:${column ?? 1}` : file;
  return `${where}: ${path ? `${path}: ` : ''}${message}`;
}

/** Parse FILE; report a parse error and throw {@link ReportedError} on failure. */
export function loadNetwork(file: string, io: Io, options: { strict?: boolean; generateUuid?: boolean } = {}): { network: Network; name: string } {
  const input = readInput(file);
  try {
    return {
      network: parseNetwork(input.text, { strict: options.strict ?? false, generateUuid: options.generateUuid ?? true }),
      name: input.name,
    };
  } catch (error) {
    if (error instanceof NetworkXmlError) {
      io.err(`${renderLocated(input.name, error.line, error.column, error.path, error.message)}\n`);
      throw new ReportedError(1);
    }
    throw error;
  }
}

/** Print validation problems, one per line; returns true when any is an error. */
export function reportProblems(file: string, problems: readonly Problem[], io: Io): boolean {
  for (const p of problems) {
    io.err(`${renderLocated(file, undefined, undefined, p.path, `${p.severity}: ${p.message} [${p.code}]`)}\n`);
  }
  return problems.some((p) => p.severity === 'error');
}

/** Parse and validate FILE; refuse (exit 1) when validation finds errors. */
export function loadValidNetwork(file: string, io: Io, options: { generateUuid?: boolean } = {}): { network: Network; name: string } {
  const loaded = loadNetwork(file, io, options);
  if (reportProblems(loaded.name, validateNetwork(loaded.network), io)) throw new ReportedError(1);
  return loaded;
}
