/**
 * The typed model of libvirt network XML: io-ts codecs and the TypeScript types derived from
 * them, one file per document part.
 *
 * @module
 */
export * from './scalars.js';
export * from './xml-node.js';
export * from './bandwidth.js';
export * from './vlan.js';
export * from './virtualport.js';
export * from './portgroup.js';
export * from './route.js';
export * from './ip.js';
export * from './dns.js';
export * from './forward.js';
export * from './bridge.js';
export * from './network.js';
export * from './address.js';
export * from './define.js';
export * from './inet.js';
