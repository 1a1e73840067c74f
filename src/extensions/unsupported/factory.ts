// Extensions that Collector configs commonly enable for debugging the
// Collector itself (pprof, zpages). Auditline has neither, so they load, do
// nothing, and are named once by a warning, rather than refusing the file.
import type { Extension, ExtensionFactory } from '../../component/types.js';
import { warn, type Spec } from '../../config/schema.js';

/** Any settings; the component id itself gets the warning. */
function ignoredSettings(why: string): Spec<Record<string, never>> {
  return {
    shape: `ignored, with a warning (${why})`,
    parse(_v, p, is) {
      if (p.length > 0) warn(is, p, `ignored (${why})`);
      return {};
    },
  };
}

const inert: Extension = { start: async () => {}, shutdown: async () => {} };

function unsupported(type: string, why: string): ExtensionFactory<Record<string, never>> {
  return {
    kind: 'extension',
    type,
    description: `Accepted so Collector configs load; does nothing (${why}).`,
    config: ignoredSettings(why),
    create: () => inert,
  };
}

export const pprofExtensionFactory = unsupported('pprof', 'Go runtime profiling; use node --cpu-prof or --inspect');
export const zpagesExtensionFactory = unsupported(
  'zpages',
  "the Collector's debug pages; use the debug exporter and /metrics",
);
