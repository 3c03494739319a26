/**
 * A small command-line parser: flags with or without a value, and positionals. Unknown flags are
 * usage errors (exit code 2), never silently ignored.
 *
 * @module
 */

/** Thrown for a command line that does not fit the command; the CLI exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What a command accepts: boolean flags and flags that take a value (with allowed values, optionally). */
export interface ArgSpec {
  booleans?: readonly string[];
  values?: Readonly<Record<string, readonly string[] | null>>;
  /** Minimum and maximum number of positionals. */
  positionals: [min: number, max: number];
}

/** A parsed command line. */
export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  positionals: string[];
}

/** Parse `argv` (after the command name) against `spec`. `-` is a positional (standard input). */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.booleans?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (spec.values && name in spec.values) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      const allowed = spec.values[name];
      if (allowed && !allowed.includes(value))
        throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not '${value}'`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const [min, max] = spec.positionals;
  if (positionals.length < min) throw new UsageError(min === 1 ? 'missing FILE argument' : 'missing arguments');
  if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`);
  return { flags, values, positionals };
}
