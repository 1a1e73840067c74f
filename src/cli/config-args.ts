// The options of the commands that take a config (`run`, `validate`,
// `print-config`), the OpenTelemetry Collector's way: `--config`/`-c` any
// number of times (a path, `file:`, `env:`, `yaml:` or `-` for stdin), merged
// in order, then `--set key=value` overrides.
import { parseArgs } from 'node:util';
import type { ConfigSources } from '../config/sources.js';

export interface ConfigArgs {
  sources: ConfigSources;
  json: boolean;
  help: boolean;
}

export const CONFIG_USAGE = `  -c, --config SOURCE   a YAML file, file:PATH, env:VAR (the YAML in $VAR), yaml:INLINE or - (stdin);
                        repeat it to merge several in order (maps merged, lists replaced)
  --set KEY=VALUE       override one value, e.g. --set processors::batch::timeout=2s
                        (keys by :: or .; the value is YAML); applied after every --config`;

/** Parses the options; throws an Error whose message is a usage problem. */
export function parseConfigArgs(argv: string[], opts: { json?: boolean } = {}): ConfigArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      ...(opts.json ? { json: { type: 'boolean' } } : {}),
    },
    allowPositionals: false,
    strict: true,
  });
  const v = values as { config?: string[]; set?: string[]; json?: boolean; help?: boolean };
  if (!v.help && (v.config === undefined || v.config.length === 0)) throw new Error('--config SOURCE is required');
  return { sources: { configs: v.config ?? [], sets: v.set ?? [] }, json: v.json === true, help: v.help === true };
}
