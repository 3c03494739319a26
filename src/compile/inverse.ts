/**
 * Undoing operations: the inverse of one operation, and the teardown of a whole plan in
 * libvirt's shutdown order.
 *
 * @module
 */
import type { Operation, Plan } from './plan.js';

/**
 * The operation that undoes `op`, or `null` when there is none to run:
 *
 * - `link.create-bridge` → `link.delete`: the bridge was created with NLM_F_EXCL, so it is ours.
 * - `link.set-bridge-option` → the same option set back to `previous`.
 * - `link.set-state` → the opposite state (up ↔ down).
 * - `address.add` → `address.delete`, `route.add` → `route.delete` (same key fields).
 * - `firewall.add` → `firewall.remove` of exactly the same rules.
 * - `dir.create` → `dir.remove` (removes the folder only when it is empty, so shared folders such
 *   as `/var/lib/libvirt/dnsmasq` survive while other networks use them).
 * - `file.write` → `file.remove`.
 * - `dnsmasq.start` → `dnsmasq.stop` by the same pidfile.
 * - `sysctl.set` → `null`: the bridge's own sysctls disappear with the bridge, and the host-wide
 *   forwarding switches (`keepOnTeardown`) are never turned off by libvirt. The value before the
 *   write is only known on the host, so a failed apply restores it from the executor's record of
 *   that step, not from the plan.
 * - the removal kinds (`link.delete`, `address.delete`, `route.delete`, `firewall.remove`,
 *   `dir.remove`, `file.remove`, `dnsmasq.stop`) → `null`: they end a teardown, and what they
 *   removed (bridge settings, file content, dnsmasq's command line) is not in the operation.
 *
 * @example
 * ```ts
 * inverseOf({ kind: 'link.set-state', dev: 'virbr0', up: true }); // { kind: 'link.set-state', dev: 'virbr0', up: false }
 * ```
 */
export function inverseOf(op: Operation): Operation | null {
  switch (op.kind) {
    case 'link.create-bridge':
      return { kind: 'link.delete', name: op.name };
    case 'link.set-bridge-option':
      return { kind: 'link.set-bridge-option', dev: op.dev, option: op.option, value: op.previous, previous: op.value };
    case 'link.set-state':
      return { kind: 'link.set-state', dev: op.dev, up: !op.up };
    case 'address.add':
      return { kind: 'address.delete', dev: op.dev, family: op.family, address: op.address, prefix: op.prefix };
    case 'route.add':
      return {
        kind: 'route.delete',
        dev: op.dev,
        family: op.family,
        destination: op.destination,
        prefix: op.prefix,
        gateway: op.gateway,
        ...(op.metric !== undefined ? { metric: op.metric } : {}),
      };
    case 'firewall.add':
      return { kind: 'firewall.remove', backend: op.backend, network: op.network, bridge: op.bridge, rules: op.rules };
    case 'dir.create':
      return { kind: 'dir.remove', path: op.path };
    case 'file.write':
      return { kind: 'file.remove', path: op.path };
    case 'dnsmasq.start':
      return { kind: 'dnsmasq.stop', network: op.network, pidfile: op.pidfile };
    case 'sysctl.set':
    case 'link.delete':
    case 'address.delete':
    case 'route.delete':
    case 'firewall.remove':
    case 'dir.remove':
    case 'file.remove':
    case 'dnsmasq.stop':
      return null;
  }
}

/**
 * An undo operation the host handed back when plan operation `index` was applied, carrying what
 * only the host knew then: the `firewall.remove` of a nftables `firewall.add` with the handles of
 * the rules it inserted. Backends keep these with the network's record ({@link teardownPlan}).
 */
export interface RecordedInverse {
  index: number;
  operation: Operation;
}

/**
 * The inverse from the plan, with the facts a recorded one adds: only a `firewall.remove`'s
 * `handles`, and only when the recorded operation removes the same network's rules with the same
 * backend from the same bridge. Everything else (the rules themselves) still comes from the plan,
 * so a stale or foreign record can never widen what a teardown removes.
 */
function withRecordedFacts(inverse: Operation | null, recorded: Operation | undefined): Operation | null {
  if (inverse?.kind !== 'firewall.remove' || recorded?.kind !== 'firewall.remove') return inverse;
  if (recorded.backend !== inverse.backend || recorded.network !== inverse.network || recorded.bridge !== inverse.bridge) return inverse;
  if (!Array.isArray(recorded.handles)) return inverse;
  return { ...inverse, handles: [...recorded.handles] };
}

/**
 * Teardown phases, in libvirt's `networkShutdownNetworkVirtual` order: stop dnsmasq, take the
 * link down, remove the firewall rules, delete the bridge. virtnet then removes the files and
 * folders it wrote.
 */
function phase(op: Operation): number {
  switch (op.kind) {
    case 'dnsmasq.stop':
      return 0;
    case 'link.set-state':
    case 'address.delete':
    case 'route.delete':
      return 1;
    case 'firewall.remove':
      return 2;
    case 'link.delete':
      return 3;
    case 'file.remove':
      return 4;
    case 'dir.remove':
      return 5;
    default:
      return 1;
  }
}

/**
 * The operations that stop a network started by `plan`: the inverses of its operations, last
 * first, arranged in libvirt's shutdown order (§5.2): stop dnsmasq, link down, remove the
 * firewall rules, delete the bridge. Then the files and folders the plan wrote are removed.
 *
 * - Addresses, routes, the bridge's sysctls and vlan_filtering of a bridge the plan created go
 *   with the bridge; libvirt never removes them one by one, and neither does this teardown.
 * - vlan_filtering on a host bridge (forward mode bridge) stays on, as libvirt leaves it.
 * - IP forwarding stays on (`keepOnTeardown`), as in libvirt.
 * - libvirt keeps a persistent network's dnsmasq files after destroy (only undefine removes them);
 *   virtnet has no define step, so its teardown removes the conf, hostsfile, addnhosts and the
 *   pidfile (which dnsmasq, running as `nobody`, may be unable to unlink itself), and then the
 *   folders if they are empty — nothing of the network is left behind.
 *
 * Every removal must tolerate something already gone: backends run teardowns carrying on past
 * errors, as libvirt ignores every error of its shutdown.
 *
 * `recorded`: the inverses the executor returned when the plan was applied
 * ({@link RecordedInverse}); a nftables `firewall.remove` then carries the rules' handles.
 *
 * @example
 * ```ts
 * const ops = teardownPlan(compileNetwork(net));
 * // [dnsmasq.stop, link.set-state down, firewall.remove, link.delete, file.remove ×4, dir.remove ×2]
 * ```
 */
export function teardownPlan(plan: Plan, recorded: readonly RecordedInverse[] = []): Operation[] {
  const createdBridges = new Set<string>();
  for (const op of plan.operations) if (op.kind === 'link.create-bridge') createdBridges.add(op.name);
  const recordedAt = new Map<number, Operation>();
  for (const r of recorded) recordedAt.set(r.index, r.operation);

  const inverses: Operation[] = [];
  for (let i = plan.operations.length - 1; i >= 0; i--) {
    const inverse = withRecordedFacts(inverseOf(plan.operations[i]!), recordedAt.get(i));
    if (inverse === null) continue;
    // Gone with the bridge, or (vlan_filtering of a host bridge) left as libvirt leaves it.
    if (inverse.kind === 'link.set-bridge-option') continue;
    if ((inverse.kind === 'address.delete' || inverse.kind === 'route.delete') && createdBridges.has(inverse.dev)) continue;
    inverses.push(inverse);
    // The pidfile right after its daemon: first of the files removed.
    if (inverse.kind === 'dnsmasq.stop') inverses.push({ kind: 'file.remove', path: inverse.pidfile });
  }
  // A stable sort keeps reverse plan order within each phase.
  return inverses
    .map((op, index) => ({ op, index, phase: phase(op) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index)
    .map((entry) => entry.op);
}
