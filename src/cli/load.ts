/**
 * Turning a FILE argument into a checked network, with errors rendered as
 * `FILE:LINE:COL: PATH: message`.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { NetworkXmlError, parseNetworkWithSource, type SourcePosition } from '../xml/index.js';
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

/** A parsed document: the network, the name to report it by, and where its paths are in the text. */
export interface LoadedNetwork {
  network: Network;
  name: string;
  locate(path: string): SourcePosition | undefined;
}

/** Parse FILE; report a parse error and throw {@link ReportedError} on failure. */
export function loadNetwork(file: string, io: Io, options: { strict?: boolean; generateUuid?: boolean } = {}): LoadedNetwork {
  const input = readInput(file);
  try {
    const parsed = parseNetworkWithSource(input.text, { strict: options.strict ?? false, generateUuid: options.generateUuid ?? true });
    return { network: parsed.network, name: input.name, locate: parsed.locate };
  } catch (error) {
    if (error instanceof NetworkXmlError) {
      io.err(`${renderLocated(input.name, error.line, error.column, error.path, error.message)}\n`);
      throw new ReportedError(1);
    }
    throw error;
  }
}

/**
 * Where a problem's path is in the document: the path itself, or its nearest ancestor that the
 * document has (a problem about a missing element points at its parent).
 */
function positionOf(path: string, locate: LoadedNetwork['locate']): SourcePosition | undefined {
  for (let p = path; p.length > 0; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = locate(p);
    if (found) return found;
  }
  return undefined;
}

/** Print validation problems, one per line as `FILE:LINE:COL: PATH: severity: message [code]`; true when any is an error. */
export function reportProblems(loaded: LoadedNetwork, problems: readonly Problem[], io: Io): boolean {
  for (const p of problems) {
    const at = positionOf(p.path, loaded.locate);
    io.err(`${renderLocated(loaded.name, at?.line, at?.column, p.path, `${p.severity}: ${p.message} [${p.code}]`)}\n`);
  }
  return problems.some((p) => p.severity === 'error');
}

/** Parse and validate FILE; refuse (exit 1) when validation finds errors. */
export function loadValidNetwork(file: string, io: Io, options: { generateUuid?: boolean } = {}): LoadedNetwork {
  const loaded = loadNetwork(file, io, options);
  if (reportProblems(loaded, validateNetwork(loaded.network), io)) throw new ReportedError(1);
  return loaded;
}
