/**
 * The firewall: one rule model per network ({@link firewallRules}), rendered as libvirt's command
 * text, as iptables-restore input and as an nft script, plus helpers to compare host state with
 * the expected rules.
 *
 * @module
 */
export * from './rules.js';
export * from './names.js';
export * from './base.js';
export * from './build.js';
export * from './nft-syntax.js';
export * from './libvirt-commands.js';
export * from './iptables-syntax.js';
export * from './iptables-state.js';
export * from './iptables-restore.js';
export * from './nft-script.js';
export * from './nft-state.js';
export * from './nft-json.js';
export * from './nft-handles.js';
export * from './removal-recipe.js';
