/**
 * Indentation strings: two spaces per level, as libvirt's auto-indenting buffer writes them.
 *
 * @module
 */

const INDENTS: string[] = [''];

/** The indentation of `level`, cached so that no string is rebuilt per line. */
export function indent(level: number): string {
  let s = INDENTS[level];
  if (s === undefined) {
    for (let i = INDENTS.length; i <= level; i++) INDENTS[i] = `${INDENTS[i - 1]}  `;
    s = INDENTS[level]!;
  }
  return s;
}
