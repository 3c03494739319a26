/**
 * Resource limits of the XML parser. They keep hostile input (huge documents, deep nesting,
 * element floods) from exhausting memory or time; the defaults are far above any real network
 * (a 10,000-host network is about 0.7 MB, 4 levels deep, 10,000 elements).
 *
 * @module
 */

/** Largest accepted document, in bytes of UTF-8: 16 MiB. Checked before parsing starts. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Deepest accepted element nesting (the root element is depth 1). */
export const DEFAULT_MAX_DEPTH = 64;

/** Most elements accepted in one document. */
export const DEFAULT_MAX_ELEMENTS = 1_000_000;

/** The three limits, all set. */
export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

/** The limits with the defaults filled in for those not given. */
export function resolveLimits(given: Partial<XmlLimits>): XmlLimits {
  return {
    maxBytes: given.maxBytes ?? DEFAULT_MAX_BYTES,
    maxDepth: given.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxElements: given.maxElements ?? DEFAULT_MAX_ELEMENTS,
  };
}
