/**
 * `<dns>` (`virNetworkDNSDefParseXML`): forwarders, then hosts, then srv, then txt records (the
 * order libvirt checks them in, which decides which error is reported), then the
 * "disabled but has records" check.
 *
 * @module
 */
import type { Dns, DnsForwarder, DnsHost, DnsSrv, DnsTxt } from '../../model/dns.js';
import type { IpAddress, Port, UInt } from '../../model/scalars.js';
import type { XNode } from '../tree.js';
import { collectUnknown, readTristate, stringValue, type ParseContext } from './context.js';
import { specAt } from './schema.js';
import { parseCUnsigned, parseIp } from './scalars.js';

/** DNS_RECORD_LENGTH_SRV: 512 - 30 bytes. */
const SRV_SERVICE_MAX = 482;
const SERVICE_CHARS = /^[A-Za-z0-9_\-+/*]*$/;
const PROTOCOL_CHARS = /^[A-Za-z0-9\-+/]*$/;

function decodeForwarder(node: XNode, path: string, ctx: ParseContext): DnsForwarder {
  const out: DnsForwarder = {};
  const addr = node.attrs['addr'];
  if (addr !== undefined) {
    const ip = parseIp(addr);
    if (ip === undefined)
      ctx.fail('dns.forwarder.addr.invalid', node, `${path}/@addr`, `Invalid DNS forwarder IP address '${addr}' in ${ctx.net}.`);
    out.addr = ip.text as IpAddress;
  }
  const domain = node.attrs['domain'];
  if (domain !== undefined) out.domain = domain;
  if (addr === undefined && domain === undefined)
    ctx.fail('dns.forwarder.empty', node, path, `A DNS <forwarder> in ${ctx.net} needs at least one of 'addr' or 'domain'.`);
  return out;
}

function decodeHost(node: XNode, path: string, ctx: ParseContext): DnsHost {
  const hostnames: string[] = [];
  let n = 0;
  for (const c of node.children) {
    if (c.name !== 'hostname') continue;
    n++;
    // virXMLNodeContentString: the element's text content.
    const text = stringValue(c);
    if (text === '')
      ctx.fail('dns.host.hostname.missing', c, `${path}/hostname[${n}]`, `A DNS <host> in ${ctx.net} has an empty <hostname>.`);
    hostnames.push(text);
  }
  if (n === 0) ctx.fail('dns.host.hostname.missing', node, path, `A DNS <host> in ${ctx.net} has no <hostname>.`);
  const ipText = node.attrs['ip'];
  if (ipText === undefined) ctx.fail('dns.host.ip.missing', node, path, `A DNS <host> in ${ctx.net} has no 'ip' attribute.`);
  const ip = parseIp(ipText);
  if (ip === undefined) ctx.fail('dns.host.ip.invalid', node, `${path}/@ip`, `Invalid IP address '${ipText}' in a DNS <host> of ${ctx.net}.`);
  return { ip: ip.text as IpAddress, hostnames };
}

function decodeSrv(node: XNode, path: string, ctx: ParseContext): DnsSrv {
  const service = node.attrs['service'];
  if (service === undefined)
    ctx.fail('dns.srv.service.missing', node, path, `A DNS <srv> record in ${ctx.net} has no 'service' attribute.`);
  if (Buffer.byteLength(service, 'utf8') > SRV_SERVICE_MAX)
    ctx.fail(
      'dns.srv.service.too-long',
      node,
      `${path}/@service`,
      `The DNS SRV service '${service}' in ${ctx.net} is too long (at most ${SRV_SERVICE_MAX} bytes).`,
    );
  if (!SERVICE_CHARS.test(service))
    ctx.fail(
      'dns.srv.service.invalid-char',
      node,
      `${path}/@service`,
      `The DNS SRV service '${service}' in ${ctx.net} may only hold letters, digits and _ - + / *.`,
    );
  const protocol = node.attrs['protocol'];
  if (protocol === undefined)
    ctx.fail('dns.srv.protocol.missing', node, path, `The DNS SRV record '${service}' in ${ctx.net} has no 'protocol' attribute.`);
  if (!PROTOCOL_CHARS.test(protocol))
    ctx.fail(
      'dns.srv.protocol.invalid-char',
      node,
      `${path}/@protocol`,
      `The DNS SRV protocol '${protocol}' in ${ctx.net} may only hold letters, digits and - + /.`,
    );
  const out: DnsSrv = { service, protocol };
  const domain = node.attrs['domain'];
  if (domain !== undefined) out.domain = domain;
  const target = node.attrs['target'];
  if (target !== undefined) out.target = target;
  const num = (attr: 'port' | 'priority' | 'weight', min: number): number | undefined => {
    // virXPathUInt: an empty value is absent.
    const v = node.attrs[attr];
    if (v === undefined || v === '') return undefined;
    const r = parseCUnsigned(v, 10, 0xffffffff);
    if (r.ok && target === undefined)
      ctx.fail(
        `dns.srv.${attr}.without-target`,
        node,
        `${path}/@${attr}`,
        `The DNS SRV ${attr} of service '${service}' in ${ctx.net} is not allowed without a 'target'.`,
      );
    if (!r.ok || r.value < min || r.value > 65535)
      ctx.fail(
        `dns.srv.${attr}.invalid`,
        node,
        `${path}/@${attr}`,
        `Invalid DNS SRV ${attr} '${v}' for service '${service}' in ${ctx.net}: expected ${min}..65535.`,
      );
    return r.value;
  };
  const port = num('port', 1);
  if (port !== undefined) out.port = port as Port;
  const priority = num('priority', 0);
  if (priority !== undefined) out.priority = priority as UInt;
  const weight = num('weight', 0);
  if (weight !== undefined) out.weight = weight as UInt;
  return out;
}

function decodeTxt(node: XNode, path: string, ctx: ParseContext): DnsTxt {
  const name = node.attrs['name'];
  if (name === undefined) ctx.fail('dns.txt.name.missing', node, path, `A DNS <txt> record in ${ctx.net} has no 'name' attribute.`);
  if (name.includes(' ') || name.includes(','))
    ctx.fail(
      'dns.txt.name.invalid-char',
      node,
      `${path}/@name`,
      `The DNS TXT record name '${name}' in ${ctx.net} may not contain a space or a comma.`,
    );
  const value = node.attrs['value'];
  if (value === undefined)
    ctx.fail('dns.txt.value.missing', node, path, `The DNS TXT record '${name}' in ${ctx.net} has no 'value' attribute.`);
  return { name, value };
}

/** Decode `<dns>`. */
export function decodeDns(node: XNode, path: string, ctx: ParseContext): Dns {
  const out: Dns = {};
  const enable = readTristate(ctx, node, path, 'enable', 'dns.enable.invalid');
  if (enable !== undefined) out.enable = enable;
  const fpn = readTristate(ctx, node, path, 'forwardPlainNames', 'dns.forward-plain-names.invalid');
  if (fpn !== undefined) out.forwardPlainNames = fpn;

  const forwarders: DnsForwarder[] = [];
  const hosts: DnsHost[] = [];
  const srvs: DnsSrv[] = [];
  const txts: DnsTxt[] = [];
  const spec = specAt('dns');
  // libvirt reads each kind with its own XPath query: all forwarders first, then hosts, srv, txt.
  const pass = <T extends object>(kind: string, into: T[], decode: (n: XNode, p: string, c: ParseContext) => T): void => {
    let i = 0;
    const kindSpec = spec.children.get(kind)!;
    for (const c of node.children) {
      if (c.name !== kind) continue;
      const item = decode(c, `${path}/${kind}[${++i}]`, ctx);
      if (ctx.preserve) {
        const u = collectUnknown(c, kindSpec);
        if (u) (item as { unknown?: unknown }).unknown = u;
      }
      into.push(item);
    }
  };
  pass('forwarder', forwarders, decodeForwarder);
  pass('host', hosts, decodeHost);
  pass('srv', srvs, decodeSrv);
  pass('txt', txts, decodeTxt);
  if (enable === false && forwarders.length + hosts.length + srvs.length + txts.length > 0)
    ctx.fail(
      'dns.disabled.extra-data',
      node,
      path,
      `The <dns> of ${ctx.net} is disabled (enable='no') but still lists forwarders, hosts, srv or txt records.`,
    );
  if (forwarders.length) out.forwarders = forwarders;
  if (txts.length) out.txts = txts;
  if (srvs.length) out.srvs = srvs;
  if (hosts.length) out.hosts = hosts;
  if (ctx.preserve) {
    const u = collectUnknown(node, spec);
    if (u) out.unknown = u;
  }
  return out;
}
