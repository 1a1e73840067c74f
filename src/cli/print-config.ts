// `auditline print-config --config …`: the effective configuration after every
// --config and --set is merged, as YAML (or JSON with --json). It is validated
// first, like the Collector's print-config. Environment references are shown as
// written (`${env:TOKEN}`), never expanded, and values under keys that hold
// credentials (tokens, passwords, secrets, keys, authorization headers) are
// shown as `[REDACTED]` unless they are such references, as are passwords in URLs.
import { stringify } from 'yaml';
import { defaultRegistry } from '../components.js';
import { ConfigError } from '../config/load.js';
import { loadConfigSources, mergeSources, type ConfigSources } from '../config/sources.js';

const SECRET_KEY =
  /(^|[_-])(token|tokens|password|passwd|secret|api_?key|private_?key|authorization|credentials?|auth_?header)$/i;
const ENV_REF_ONLY = /^\$\{(env:)?[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;
/** `redis://user:password@host`: the password part. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:)[^/@\s]+@/i;
export const REDACTED = '[REDACTED]';

export function printConfig(sources: ConfigSources, json: boolean, out = process.stdout, err = process.stderr): number {
  try {
    const io = { env: process.env };
    loadConfigSources(sources, defaultRegistry(), io);
    const { merged } = mergeSources(sources, io);
    const shown = redactSecrets(merged);
    out.write(json ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** A copy with credential values replaced by REDACTED (environment references are kept: they hold no secret). */
export function redactSecrets(v: unknown, secretHere = false): unknown {
  if (Array.isArray(v)) return v.map((x) => redactSecrets(x, secretHere));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactSecrets(x, secretHere || SECRET_KEY.test(k));
    return out;
  }
  if (typeof v === 'string' && !secretHere) return v.replace(URL_PASSWORD, `$1${REDACTED}@`);
  if (!secretHere || v === null || v === undefined) return v;
  return typeof v === 'string' && ENV_REF_ONLY.test(v) ? v : REDACTED;
}
