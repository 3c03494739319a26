/**
 * The network's identity: `<name>`, `<title>`, `<uuid>`.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { q, type Problems } from './problem.js';

/**
 * Longest name, in UTF-8 bytes, that stays a valid file name component (255 bytes on Linux) with
 * every suffix libvirt appends to it: the longest is `-radvd.conf` (11 bytes) for the radvd
 * config, beside `.xml`, `.conf`, `.hostsfile` and `.addnhosts`.
 */
export const MAX_NAME_BYTES = 255 - '-radvd.conf'.length;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The name becomes a file name (config, status, dnsmasq conf/hosts files) and a dnsmasq argument:
 * libvirt refuses an empty name, `/` (parser) and `\n` (define); this also refuses `\r` and NUL
 * (via the shared text rule), `.` and `..`, and names too long for a file name.
 */
export function validateNames(network: Network, c: Problems): void {
  const name = network.name;
  if (typeof name !== 'string' || name === '') {
    c.error('name.empty', '/network/name', `the network has no name: <name> is missing or empty`);
  } else {
    c.text(name, '/network/name', 'name');
    if (name.includes('/')) {
      c.error('name.invalid-char', '/network/name', `invalid char in name ${q(name)}: '/' is not allowed in ${c.net}`);
    }
    if (name === '.' || name === '..') {
      c.error('name.reserved', '/network/name', `name ${q(name)} cannot be used as a file name, in ${c.net}`);
    }
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_NAME_BYTES) {
      c.error(
        'name.too-long',
        '/network/name',
        `name ${q(name.slice(0, 32))}… is ${bytes} bytes long; at most ${MAX_NAME_BYTES} bytes keep it usable as a file name, in ${c.net}`,
      );
    }
  }
  if (network.title !== undefined && network.title.includes('\n')) {
    c.error('title.newline', '/network/title', `title ${q(network.title)} of ${c.net} can't contain newlines`);
  }
  if (network.uuid !== undefined && !UUID.test(network.uuid)) {
    c.error('uuid.invalid', '/network/uuid', `uuid ${q(network.uuid)} of ${c.net} is not a canonical lowercase UUID`);
  }
}
