/**
 * Helpers for the validator tests: a valid NAT network to start from, and an assertion that a
 * problem with a given code, path and value was found.
 */
import { expect } from 'vitest';
import { defineNetwork, type Network, type NetworkInit } from '../../src/model/index.js';
import { validateNetwork, type Problem, type ProblemCode, type ValidateOptions } from '../../src/validate/index.js';

/** A network libvirt defines and starts without complaint (its `default` network). */
export function natInit(): NetworkInit {
  return {
    name: 'default',
    uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
    forward: { mode: 'nat' },
    bridge: { name: 'virbr0', stp: true, delay: 0 },
    mac: '52:54:00:e2:6b:b9',
    ips: [
      {
        address: '192.168.122.1',
        netmask: '255.255.255.0',
        dhcp: {
          ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }],
          hosts: [{ mac: '00:16:3e:77:e2:ed', name: 'a.example.com', ip: '192.168.122.10' }],
        },
      },
    ],
  };
}

/** Build a network with the model's codec after `edit` changed the NAT base. */
export function net(edit: (n: NetworkInit) => void = () => {}): Network {
  const init = natInit();
  edit(init);
  return defineNetwork(init);
}

/**
 * A network the codec would refuse (a bad value written in code, bypassing `defineNetwork`): the
 * validator must still catch it.
 */
export function rawNet(edit: (n: Record<string, any>) => void): Network {
  const init = natInit() as Record<string, any>;
  edit(init);
  return init as unknown as Network;
}

/**
 * Assert that `network` has exactly one problem with `code` at `path`, of `severity`, whose message
 * names every string of `values`; returns it.
 */
export function expectProblem(
  network: Network,
  code: ProblemCode,
  path: string,
  values: readonly (string | number)[],
  severity: 'error' | 'warning' = 'error',
  options?: ValidateOptions,
): Problem {
  const problems = validateNetwork(network, options);
  const matching = problems.filter((p) => p.code === code && p.path === path);
  expect(matching, `problems were ${JSON.stringify(problems, null, 1)}`).toHaveLength(1);
  const p = matching[0]!;
  expect(p.severity).toBe(severity);
  for (const v of values) expect(p.message).toContain(String(v));
  if (network.name === 'default') expect(p.message).toContain("network 'default'");
  return p;
}

/** The codes of the problems of `network`. */
export function codes(network: Network, options?: ValidateOptions): string[] {
  return validateNetwork(network, options).map((p) => p.code);
}
