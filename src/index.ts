/**
 * virtnet: libvirt virtual networks in TypeScript.
 *
 * - {@link parseNetwork} / {@link formatNetwork}: libvirt network XML, byte-for-byte as libvirt 11.3.
 * - {@link validateNetwork}: what libvirt refuses at define time, with paths and clear sentences.
 * - {@link compileNetwork}: the host operations that start a network, as a serialisable plan.
 * - {@link LinuxBackend} / {@link MockBackend}: apply plans for real or in memory, transactionally.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseNetwork, validateNetwork, compileNetwork, describePlan } from 'virtnet';
 *
 * const network = parseNetwork(readFileSync('default.xml', 'utf8'));
 * const problems = validateNetwork(network);
 * if (problems.length === 0) process.stdout.write(describePlan(compileNetwork(network)));
 * ```
 *
 * @module
 */
export * from './model/index.js';
export * from './xml/index.js';
export * from './validate/index.js';
export * from './compile/index.js';
export * from './backend/index.js';
