/**
 * Building a network in code: checking a plain object literal against the model, and generating
 * UUIDs and MAC addresses the way libvirt does.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { Network, type NetworkInit } from './network.js';
import type { MacAddress, Uuid } from './scalars.js';

/** One problem found by {@link defineNetwork}: where (a JSON-style path) and what was expected. */
export interface ModelProblem {
  /** Path into the object, for example `ips[0].dhcp.hosts[2].mac`. */
  path: string;
  /** The codec name that did not match, for example `MacAddress`. */
  expected: string;
  /** The value found there. */
  value: unknown;
}

/** Thrown by {@link defineNetwork} when an object literal does not fit the model. */
export class NetworkModelError extends Error {
  override readonly name = 'NetworkModelError';
  readonly code = 'model.invalid';
  constructor(readonly problems: ModelProblem[]) {
    super(
      problems
        .map((p) => `${p.path || '(root)'}: expected ${p.expected}, got ${JSON.stringify(p.value)}`)
        .join('\n'),
    );
  }
}

function pathOf(context: t.Context): string {
  let out = '';
  for (let i = 1; i < context.length; i++) {
    const entry = context[i]!;
    // An intersection adds an entry per member (keys 0, 1, …) that does not step into the value.
    if (context[i - 1]!.type instanceof t.IntersectionType) continue;
    out += /^\d+$/.test(entry.key) ? `[${entry.key}]` : out ? `.${entry.key}` : entry.key;
  }
  return out;
}

/**
 * Check a plain object against the {@link Network} model and return it typed. Strings stand for
 * branded values (addresses, MACs, UUIDs); they are checked, not converted. Throws
 * {@link NetworkModelError} listing every mismatch.
 *
 * @example
 * ```ts
 * const net = defineNetwork({ name: 'isolated', ips: [{ address: '10.0.0.1', prefix: 24 }] });
 * ```
 */
export function defineNetwork(init: NetworkInit): Network {
  const result = Network.decode(init);
  if (isLeft(result)) {
    const seen = new Set<string>();
    const problems: ModelProblem[] = [];
    for (const error of result.left) {
      // A union reports one failure per member; cut the context at the first union so the
      // problem names the union (`IpAddress`) once instead of each alternative.
      const cut = error.context.findIndex((c) => c.type instanceof t.UnionType);
      const context = cut >= 0 ? error.context.slice(0, cut + 1) : error.context;
      const last = context[context.length - 1];
      const p = { path: pathOf(context), expected: last?.type.name ?? 'unknown', value: last?.actual };
      const key = `${p.path}\0${p.expected}`;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(p);
      }
    }
    throw new NetworkModelError(problems);
  }
  return result.right;
}

/**
 * A random RFC 4122 version-4 UUID, as libvirt generates for a network without `<uuid>`.
 *
 * @example
 * ```ts
 * const net = defineNetwork({ name: 'n', uuid: generateUuid() });
 * ```
 */
export function generateUuid(random: (n: number) => Uint8Array = randomBytes): Uuid {
  const b = random(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as Uuid;
}

/**
 * A random MAC address with libvirt's (QEMU/KVM) prefix `52:54:00`, as libvirt gives a bridge
 * that has no `<mac>`.
 */
export function generateMac(random: (n: number) => Uint8Array = randomBytes): MacAddress {
  const b = random(3);
  return ['52', '54', '00', ...Array.from(b, (x) => x.toString(16).padStart(2, '0'))].join(':') as MacAddress;
}
