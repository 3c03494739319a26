/**
 * The network's bridge name: allocating `virbrN` as libvirt does at define time, and refusing a
 * name the kernel or an `ip` command line could not take.
 *
 * @module
 */
import { CompileError } from './errors.js';
import { IFNAME_MAX_BYTES, interfaceNameFault } from './interface-name.js';

/** Linux interface names hold at most 15 bytes (`IFNAMSIZ` 16 with the NUL). */
export const BRIDGE_NAME_MAX_BYTES = IFNAME_MAX_BYTES;

/** libvirt's `MAX_BRIDGE_ID`: ids 0..256 inclusive are tried. */
export const MAX_BRIDGE_ID = 256;

/** libvirt's template when the document names no bridge. */
export const DEFAULT_BRIDGE_TEMPLATE = 'virbr%d';

/**
 * True when libvirt would allocate a name: none given, or a `%d` template.
 *
 * @example
 * ```ts
 * needsBridgeAllocation('virbr%d'); // true
 * ```
 */
export function needsBridgeAllocation(name: string | undefined): boolean {
  return name === undefined || name === '' || name.includes('%d');
}

/**
 * The template libvirt fills in (`networkFindUnusedBridgeName`): the document's name when it holds
 * exactly one `%` and that `%` is followed by `d`; otherwise `virbr%d`.
 *
 * @example
 * ```ts
 * bridgeTemplate('lab%d'); // 'lab%d'
 * bridgeTemplate('a%d%d'); // 'virbr%d'
 * ```
 */
export function bridgeTemplate(name: string | undefined): string {
  if (name === undefined) return DEFAULT_BRIDGE_TEMPLATE;
  const first = name.indexOf('%');
  if (first >= 0 && first === name.lastIndexOf('%') && name[first + 1] === 'd') return name;
  return DEFAULT_BRIDGE_TEMPLATE;
}

/**
 * The first name from `template` (ids 0..256) that is not in `used`, as libvirt allocates
 * `virbr0`, `virbr1`, … Throws `CompileError` `bridge.name.exhausted` ("Bridge generation exceeded
 * max id 256") when every one is taken.
 *
 * @example
 * ```ts
 * allocateBridgeName('virbr%d', new Set(['virbr0'])); // 'virbr1'
 * ```
 */
export function allocateBridgeName(template: string, used: ReadonlySet<string>): string {
  const at = template.indexOf('%d');
  const head = template.slice(0, at);
  const tail = template.slice(at + 2);
  for (let id = 0; id <= MAX_BRIDGE_ID; id++) {
    const name = `${head}${id}${tail}`;
    if (!used.has(name)) return name;
  }
  throw new CompileError(
    'bridge.name.exhausted',
    '/network/bridge/@name',
    `Bridge generation exceeded max id ${MAX_BRIDGE_ID}: every name from '${template}' is in use`,
  );
}

/**
 * Refuse a bridge name the kernel would reject (too long, `/`, `:`, whitespace, `.`, `..`) or that
 * is unsafe as a command-line token. `path` is where the name came from, for the error.
 *
 * @example
 * ```ts
 * checkBridgeName('virbr0'); // fine
 * checkBridgeName('br0; reboot'); // throws CompileError bridge.name.invalid-char
 * ```
 */
export function checkBridgeName(name: string, path = '/network/bridge/@name'): void {
  // The bridge is one of the interface names a plan carries: the same rule as the forward device.
  const fault = interfaceNameFault(name);
  if (fault !== undefined) throw new CompileError(`bridge.name.${fault.kind}`, path, `bridge name ${JSON.stringify(name)}: ${fault.reason}`);
}

/**
 * The bridge a virtual network (none/nat/route/open) uses: the document's name, checked, or one
 * allocated from `virbr%d` (or the document's `%d` template) that is not in `used`.
 *
 * A fixed name is not checked against `used`: it may well be this network's own bridge, still up
 * on the host. libvirt's define-time "bridge name '…' already in use." compares against other
 * networks' definitions, which the compiler does not know; the backend refuses an existing link.
 *
 * @example
 * ```ts
 * resolveBridgeName(undefined, new Set(['virbr0'])); // 'virbr1'
 * ```
 */
export function resolveBridgeName(name: string | undefined, used: ReadonlySet<string>): string {
  const resolved = needsBridgeAllocation(name) ? allocateBridgeName(bridgeTemplate(name || undefined), used) : name!;
  checkBridgeName(resolved);
  return resolved;
}
