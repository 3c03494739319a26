/**
 * The in-memory mock backend and its fake host.
 *
 * @module
 */
export { MockBackend, type MockBackendOptions } from './backend.js';
export { MockHost, type MockHostOptions } from './host.js';
export { MockExecutor, type FaultPredicate, type MockLogEntry } from './executor.js';
export type { HostSnapshot, MockAddress, MockFile, MockFirewallRule, MockHostData, MockLink, MockProcess, MockRoute, MockTcFilter } from './state.js';
