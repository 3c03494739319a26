/**
 * The in-memory mock backend and its fake host.
 *
 * @module
 */
export * from './state.js';
export * from './host.js';
export * from './executor.js';
export * from './backend.js';
export { checkLinkName } from './netlink.js';
export { placeRule, placeRules, type PlacedRule } from './firewall.js';
