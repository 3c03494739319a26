/**
 * `<dns>`: forwarders, TXT, SRV and host records (parser rules of libvirt, plus the mode rule of
 * `networkValidate`). Every string here ends up in a dnsmasq config line.
 *
 * @module
 */
import type { Network } from '../model/index.js';
import { modeOf, ownsBridge } from './modes.js';
import { q, type Problems } from './problem.js';

/** libvirt's `DNS_RECORD_LENGTH_SRV`: 512 minus 30 bytes of record overhead. */
export const MAX_SRV_SERVICE_BYTES = 512 - 30;

const SRV_SERVICE = /^[A-Za-z0-9_+/*-]*$/;
const SRV_PROTOCOL = /^[A-Za-z0-9+/-]*$/;

/** Checks of `<dns>`. */
export function validateDns(network: Network, c: Problems): void {
  const dns = network.dns;
  if (dns === undefined) return;
  const forwarders = dns.forwarders ?? [];
  const txts = dns.txts ?? [];
  const srvs = dns.srvs ?? [];
  const hosts = dns.hosts ?? [];
  const mode = modeOf(network);

  if (dns.enable === false && forwarders.length + txts.length + srvs.length + hosts.length > 0) {
    c.error(
      'dns.disabled-with-records',
      '/network/dns',
      `<dns enable='no'> of ${c.net} has ${forwarders.length} forwarder, ${txts.length} txt, ${srvs.length} srv and ${hosts.length} host records: extra data in a disabled DNS`,
    );
  }
  if (!ownsBridge(mode) && txts.length + srvs.length + hosts.length > 0) {
    c.error('dns.not-allowed', '/network/dns', `unsupported <dns> element (with txt/srv/host records) in ${c.net} with forward mode='${mode}'`);
  }

  forwarders.forEach((f, i) => {
    const path = `/network/dns/forwarder[${i + 1}]`;
    if (f.addr === undefined && f.domain === undefined) {
      c.error('dns.forwarder.empty', path, `DNS forwarder ${i + 1} of ${c.net} must have at least one of addr or domain`);
    }
    c.text(f.domain, `${path}/@domain`, 'forwarder domain');
  });

  txts.forEach((t, i) => {
    const path = `/network/dns/txt[${i + 1}]`;
    if (typeof t.name !== 'string' || t.name === '') {
      c.error('dns.txt.name.empty', `${path}/@name`, `DNS TXT record ${i + 1} of ${c.net} has no name`);
    } else {
      c.text(t.name, `${path}/@name`, 'TXT record name');
      if (/[ ,]/.test(t.name)) {
        c.error('dns.txt.name.invalid-char', `${path}/@name`, `prohibited character (space or comma) in DNS TXT record name ${q(t.name)} of ${c.net}`);
      }
    }
    if (typeof t.value !== 'string') {
      c.error('dns.txt.value.missing', `${path}/@value`, `missing value in DNS TXT record named ${q(t.name)} of ${c.net}`);
    } else {
      c.text(t.value, `${path}/@value`, 'TXT record value');
    }
  });

  srvs.forEach((s, i) => {
    const path = `/network/dns/srv[${i + 1}]`;
    if (typeof s.service !== 'string' || s.service === '') {
      c.error('dns.srv.service.missing', `${path}/@service`, `missing service in DNS SRV record ${i + 1} of ${c.net}`);
    } else {
      const bytes = Buffer.byteLength(s.service, 'utf8');
      if (bytes > MAX_SRV_SERVICE_BYTES) {
        c.error('dns.srv.service.too-long', `${path}/@service`, `service ${q(s.service.slice(0, 32))}… in ${c.net} is ${bytes} bytes long, limit is ${MAX_SRV_SERVICE_BYTES} bytes`);
      }
      if (!SRV_SERVICE.test(s.service)) {
        c.error('dns.srv.service.invalid-char', `${path}/@service`, `invalid character in service ${q(s.service)} in ${c.net}: only letters, digits and _+/*- are allowed`);
      }
    }
    if (typeof s.protocol !== 'string' || s.protocol === '') {
      c.error('dns.srv.protocol.missing', `${path}/@protocol`, `missing protocol in DNS SRV record ${q(s.service)} of ${c.net}`);
    } else if (!SRV_PROTOCOL.test(s.protocol)) {
      c.error('dns.srv.protocol.invalid-char', `${path}/@protocol`, `invalid character in protocol ${q(s.protocol)} of SRV record ${q(s.service)} in ${c.net}: only letters, digits and +/- are allowed`);
    }
    c.text(s.domain, `${path}/@domain`, 'SRV record domain');
    c.text(s.target, `${path}/@target`, 'SRV record target');
    for (const [field, value, code] of [
      ['port', s.port, 'dns.srv.port.out-of-range'],
      ['priority', s.priority, 'dns.srv.priority.out-of-range'],
      ['weight', s.weight, 'dns.srv.weight.out-of-range'],
    ] as const) {
      // 0 means unset in the model, as in libvirt.
      if (value === undefined || value === 0) continue;
      if (s.target === undefined) {
        c.error('dns.srv.without-target', `${path}/@${field}`, `DNS SRV ${field} ${value} not permitted without target for service ${q(s.service)} in ${c.net}`);
      }
      if (value > 65535 || !Number.isInteger(value) || value < 0) {
        c.error(code, `${path}/@${field}`, `invalid DNS SRV ${field} ${value} for service ${q(s.service)} in ${c.net}: must be ${field === 'port' ? 1 : 0}..65535`);
      }
    }
  });

  hosts.forEach((h, i) => {
    const path = `/network/dns/host[${i + 1}]`;
    const names = h.hostnames ?? [];
    if (names.length === 0) {
      c.error('dns.host.no-hostnames', path, `DNS host record for ${q(h.ip)} in ${c.net} has no hostname`);
    }
    names.forEach((name, j) => {
      const p = `${path}/hostname[${j + 1}]`;
      if (name === '') c.error('dns.host.hostname.empty', p, `hostname ${j + 1} of the DNS host record for ${q(h.ip)} in ${c.net} is empty`);
      else c.text(name, p, 'hostname');
    });
  });
}
