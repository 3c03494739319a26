/**
 * The checks libvirt makes after parsing everything, which depend on the forward mode
 * (`virNetworkDefParseXML`, end of the function).
 *
 * @module
 */
import type { XNode } from '../tree.js';
import type { DecodedBridge } from './bridge.js';
import type { ParseContext } from './context.js';
import type { DecodedForward } from './forward.js';

/** What the mode checks look at. */
export interface ModeFacts {
  forward: DecodedForward | undefined;
  forwardNode: XNode | undefined;
  bridge: DecodedBridge | undefined;
  bridgeNode: XNode | undefined;
  mtuNode: XNode | undefined;
  mtu: number | undefined;
  ipCount: number;
}

/** Throw the first mode-dependent problem, in libvirt's order. */
export function checkModes(facts: ModeFacts, root: XNode, ctx: ParseContext): void {
  const f = facts.forward;
  const mode = f?.mode ?? 'none';
  const fnode = facts.forwardNode ?? root;
  const bridge = facts.bridge?.bridge;
  const bnode = facts.bridgeNode ?? root;
  switch (mode) {
    case 'none':
      break;
    case 'nat':
    case 'route':
    case 'open':
      if (facts.ipCount === 0)
        ctx.fail('forward.ip.missing', fnode, '/network/forward/@mode', `Forward mode '${mode}' in ${ctx.net} needs an <ip> address, but there is none.`);
      if (f!.interfaceCount > 1)
        ctx.fail(
          'forward.interface.multiple',
          fnode,
          '/network/forward',
          `The <forward> of ${ctx.net} lists ${f!.interfaceCount} interfaces; forward mode '${mode}' supports only one.`,
        );
      if (mode === 'open' && f!.interfaceCount > 0)
        ctx.fail('forward.dev.not-allowed', fnode, '/network/forward', `A forward dev is not allowed in ${ctx.net} with forward mode='open'.`);
      break;
    default: {
      if (mode !== 'bridge') {
        if (bridge?.name !== undefined)
          ctx.fail('bridge.name.not-allowed', bnode, '/network/bridge/@name', `A bridge name is not allowed in ${ctx.net} with forward mode='${mode}'.`);
        if (bridge?.zone !== undefined)
          ctx.fail('bridge.zone.not-allowed', bnode, '/network/bridge/@zone', `A bridge zone is not allowed in ${ctx.net} with forward mode='${mode}'.`);
        if (bridge?.macTableManager !== undefined)
          ctx.fail(
            'bridge.mac-table-manager.not-allowed',
            bnode,
            '/network/bridge/@macTableManager',
            `A bridge macTableManager is not allowed in ${ctx.net} with forward mode='${mode}'.`,
          );
      }
      if ((bridge?.delay ?? 0) > 0 || facts.bridge?.stpGiven || bridge?.zone !== undefined)
        ctx.fail(
          'bridge.options.not-allowed',
          bnode,
          '/network/bridge',
          `Bridge delay/stp/zone options are only allowed in open, route, nat and isolated networks, not in ${ctx.net} with forward mode='${mode}'.`,
        );
      if (bridge?.name !== undefined && (f!.interfaceCount > 0 || f!.hasPf))
        ctx.fail(
          'bridge.name.with-forward-dev',
          bnode,
          '/network/bridge/@name',
          `With forward mode='${mode}', ${ctx.net} can have a bridge name or a forward dev, but not both.`,
        );
    }
  }
  if (facts.mtu !== undefined && mode !== 'none' && mode !== 'nat' && mode !== 'route' && mode !== 'open')
    ctx.fail(
      'mtu.not-allowed',
      facts.mtuNode ?? root,
      '/network/mtu/@size',
      `An MTU is only allowed in open, route, nat and isolated networks, not in ${ctx.net} with forward mode='${mode}'.`,
    );
}
