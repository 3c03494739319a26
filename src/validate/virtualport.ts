/**
 * `<virtualport>` of the network and of portgroups: the type, and which `<parameters>` each type
 * allows, with their ranges (libvirt's `virNetDevVPortProfileParse`).
 *
 * @module
 */
import { Uuid, type Network, type VirtualPort, type VirtualPortParameters, type VirtualPortType } from '../model/index.js';
import { q, type Problems } from './problem.js';

type Param = Exclude<keyof VirtualPortParameters, 'unknown'>;

/** Parameters each type refuses ("extra … unsupported"); midonet is not checked by libvirt. */
const FORBIDDEN: Record<VirtualPortType, readonly Param[]> = {
  '802.1Qbg': ['profileid', 'interfaceid'],
  '802.1Qbh': ['managerid', 'typeid', 'typeidversion', 'instanceid', 'interfaceid'],
  openvswitch: ['managerid', 'typeid', 'typeidversion', 'instanceid'],
  midonet: [],
};

/** Upper bounds of the numeric parameters and the profileid length. */
const MAX: Partial<Record<Param, number>> = { managerid: 0xff, typeid: 0xffffff, typeidversion: 0xff };
const MAX_PROFILEID = 39;

/** Rules of one `<virtualport>` at `path`; `required` says whether the type must be given. */
export function validateVirtualPortElement(vp: VirtualPort, path: string, required: boolean, c: Problems): void {
  if (vp.type === undefined && required) {
    c.error('virtualport.type.missing', `${path}/@type`, `missing required virtualport type in ${c.net}`);
  }
  const params = vp.parameters;
  if (params === undefined) return;
  const ppath = `${path}/parameters`;
  if (vp.type !== undefined) {
    for (const p of FORBIDDEN[vp.type] ?? []) {
      if (params[p] !== undefined) {
        c.error('virtualport.parameter.not-allowed', `${ppath}/@${p}`, `extra ${p} (${q(params[p])}) unsupported in <virtualport type='${vp.type}'> of ${c.net}`);
      }
    }
  }
  for (const [p, max] of Object.entries(MAX) as [Param, number][]) {
    const v = params[p];
    if (typeof v === 'number' && v > max) {
      c.error('virtualport.parameter.out-of-range', `${ppath}/@${p}`, `value ${v} of ${p} in ${c.net} is out of range (maximum ${max})`);
    }
  }
  if (params.profileid !== undefined) {
    if (params.profileid.length > MAX_PROFILEID) {
      c.error('virtualport.parameter.out-of-range', `${ppath}/@profileid`, `profileid parameter ${q(params.profileid)} in ${c.net} is too long (${params.profileid.length} > ${MAX_PROFILEID} characters)`);
    }
    c.text(params.profileid, `${ppath}/@profileid`, 'profileid');
  }
  for (const p of ['instanceid', 'interfaceid'] as const) {
    const v = params[p];
    if (v !== undefined && !Uuid.is(v)) {
      c.error('uuid.invalid', `${ppath}/@${p}`, `cannot parse ${p} parameter ${q(v)} of ${c.net} as a uuid`);
    }
  }
}

/** Checks of the network's and every portgroup's `<virtualport>`. */
export function validateVirtualPorts(network: Network, c: Problems): void {
  if (network.virtualport !== undefined) validateVirtualPortElement(network.virtualport, '/network/virtualport', true, c);
  (network.portgroups ?? []).forEach((pg, i) => {
    if (pg.virtualport !== undefined) validateVirtualPortElement(pg.virtualport, `/network/portgroup[${i + 1}]/virtualport`, false, c);
  });
}
