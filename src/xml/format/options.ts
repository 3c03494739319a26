/**
 * Options of the formatter.
 *
 * @module
 */

/** Options of `formatNetwork`. */
export interface FormatOptions {
  /**
   * libvirt's `VIR_NETWORK_XML_INACTIVE`: write the persistent configuration, without the live
   * `connections` counters and without the virtual-function pool derived from a `<pf>`.
   */
  inactive?: boolean;
}
