/**
 * Reading documents named on the command line (`-` is standard input) and writing results.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** A document and the name errors refer to it by. */
export interface Input {
  name: string;
  text: string;
}

/** Read FILE, or standard input for `-`. */
export function readInput(file: string): Input {
  if (file === '-') return { name: '<stdin>', text: readFileSync(0, 'utf8') };
  return { name: file, text: readFileSync(file, 'utf8') };
}

/** Output channels, injectable for tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The process's own stdout and stderr. */
export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
