/**
 * `<dnsmasq:options>`: recognised by namespace URI (any prefix), as libvirt's XPath with its
 * registered `dnsmasq` prefix does.
 *
 * @module
 */
import type { XNode } from '../tree.js';
import type { ParseContext } from './context.js';
import { isDnsmasqElement } from './schema.js';

/** The `value` of every `<dnsmasq:option>` under every `<dnsmasq:options>` child of `root`. */
export function decodeDnsmasqOptions(root: XNode, ctx: ParseContext): string[] | undefined {
  let values: string[] | undefined;
  for (const options of root.children) {
    if (!isDnsmasqElement(options, 'options')) continue;
    let n = 0;
    for (const option of options.children) {
      if (!isDnsmasqElement(option, 'option')) continue;
      n++;
      const value = option.attrs['value'];
      if (value === undefined)
        ctx.fail(
          'dnsmasq.option.value.missing',
          option,
          `/network/${options.name}/${option.name}[${n}]`,
          `A <${option.name}> in ${ctx.net} has no 'value' attribute.`,
        );
      (values ??= []).push(value);
    }
  }
  return values;
}
