/**
 * `<virtualport>` of the network or a portgroup (`virNetDevVPortProfileParse`), with the
 * per-type rules on which `<parameters>` are allowed.
 *
 * @module
 */
import type { UInt, Uuid } from '../../model/scalars.js';
import type { VirtualPort, VirtualPortParameters, VirtualPortType } from '../../model/virtualport.js';
import type { NetworkXmlErrorCode } from '../errors.js';
import type { XNode } from '../tree.js';
import { collectUnknown, firstChild, type ParseContext } from './context.js';
import { VIRTUALPORT_SPEC } from './schema.js';
import { parseCUnsigned, parseUuid } from './scalars.js';

const TYPES: ReadonlySet<string> = new Set(['802.1Qbg', '802.1Qbh', 'openvswitch', 'midonet']);

/** Parameters each type refuses, in the order libvirt checks them. */
const FORBIDDEN: Record<VirtualPortType, Array<keyof VirtualPortParameters>> = {
  '802.1Qbg': ['profileid', 'interfaceid'],
  '802.1Qbh': ['managerid', 'typeid', 'typeidversion', 'instanceid', 'interfaceid'],
  openvswitch: ['managerid', 'typeid', 'typeidversion', 'instanceid'],
  midonet: [],
};

/**
 * Decode `<virtualport>`. `requireType` is true on the network (libvirt's REQUIRE_TYPE flag) and
 * false in a portgroup, where the type is inherited.
 */
export function decodeVirtualPort(node: XNode, path: string, ctx: ParseContext, requireType: boolean): VirtualPort {
  const out: VirtualPort = {};
  const type = node.attrs['type'];
  if (type === undefined && requireType)
    ctx.fail('virtualport.type.missing', node, path, `The <virtualport> of ${ctx.net} has no 'type' attribute.`);
  if (type !== undefined) {
    if (!TYPES.has(type))
      ctx.fail(
        'virtualport.type.invalid',
        node,
        `${path}/@type`,
        `Unknown virtualport type '${type}' in ${ctx.net}: expected 802.1Qbg, 802.1Qbh, openvswitch or midonet.`,
      );
    out.type = type as VirtualPortType;
  }
  const pnode = firstChild(node, 'parameters');
  if (pnode !== undefined) {
    const ppath = `${path}/parameters`;
    const params: VirtualPortParameters = {};
    const num = (attr: 'managerid' | 'typeid' | 'typeidversion', max: number, code: NetworkXmlErrorCode): void => {
      const v = pnode.attrs[attr];
      if (v === undefined) return;
      const r = parseCUnsigned(v, 0, 0xffffffff);
      if (!r.ok) ctx.fail(code, pnode, `${ppath}/@${attr}`, `Cannot parse the ${attr} parameter '${v}' of the virtualport in ${ctx.net}.`);
      if (r.value > max)
        ctx.fail(code, pnode, `${ppath}/@${attr}`, `The ${attr} parameter ${v} of the virtualport in ${ctx.net} is out of range (maximum ${max}).`);
      params[attr] = r.value as UInt;
    };
    num('managerid', 0xff, 'virtualport.managerid.invalid');
    num('typeid', 0xffffff, 'virtualport.typeid.invalid');
    num('typeidversion', 0xff, 'virtualport.typeidversion.invalid');
    const uuid = (attr: 'instanceid' | 'interfaceid', code: NetworkXmlErrorCode): void => {
      const v = pnode.attrs[attr];
      if (v === undefined) return;
      const u = parseUuid(v);
      if (u === undefined) ctx.fail(code, pnode, `${ppath}/@${attr}`, `The ${attr} parameter '${v}' of the virtualport in ${ctx.net} is not a UUID.`);
      params[attr] = u as Uuid;
    };
    uuid('instanceid', 'virtualport.instanceid.invalid');
    const profile = pnode.attrs['profileid'];
    if (profile !== undefined) {
      if (Buffer.byteLength(profile, 'utf8') > 39)
        ctx.fail(
          'virtualport.profileid.too-long',
          pnode,
          `${ppath}/@profileid`,
          `The profileid parameter '${profile}' of the virtualport in ${ctx.net} is too long (at most 39 bytes).`,
        );
      params.profileid = profile;
    }
    uuid('interfaceid', 'virtualport.interfaceid.invalid');
    if (out.type !== undefined) {
      for (const p of FORBIDDEN[out.type]) {
        if (params[p] !== undefined)
          ctx.fail(
            'virtualport.parameter.unsupported',
            pnode,
            `${ppath}/@${p}`,
            `The ${p} parameter is not supported in <virtualport type='${out.type}'> of ${ctx.net}.`,
          );
      }
    }
    if (ctx.preserve) {
      const u = collectUnknown(pnode, VIRTUALPORT_SPEC.children.get('parameters')!);
      if (u) params.unknown = u;
    }
    if (Object.keys(params).length > 0) out.parameters = params;
  }
  if (ctx.preserve) {
    const u = collectUnknown(node, VIRTUALPORT_SPEC);
    if (u) out.unknown = u;
  }
  return out;
}
