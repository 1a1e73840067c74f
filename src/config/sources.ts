// Config sources the way the OpenTelemetry Collector takes them: `--config` may
// be given many times, each a file path or a URI (`file:path`, `env:NAME`,
// `yaml:inline`, or `-` for stdin), and `--set key=value` overrides one value.
// They are merged in order like the Collector's confmap: maps deep-merged,
// lists and scalars replaced by the later source; `--set` is applied last.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import type { Registry } from '../component/registry.js';
import { ConfigError, loadConfigText, parseConfigYaml, type ServiceConfig } from './load.js';
import { ConfigFileError, MAX_CONFIG_BYTES, readConfigFile } from './read-file.js';
import { escapeControl } from './safe-text.js';

export interface ConfigSources {
  /** `--config` values in order. */
  configs: string[];
  /** `--set key=value` values in order. */
  sets?: string[];
}

export interface SourceIo {
  env: NodeJS.ProcessEnv;
  /** Reads all of stdin (for `--config -`). */
  readStdin?: () => string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
const SCHEMES = ['file', 'env', 'yaml'];

/** The name a source is reported under: its path, or the URI as given. */
export function sourceLabel(spec: string): string {
  return spec === '-' ? '<stdin>' : spec.startsWith('yaml:') ? 'yaml:…' : spec;
}

/** The YAML text of one `--config` value. */
export function readSource(spec: string, io: SourceIo): string {
  const fail = (message: string): never => {
    throw new ConfigError([{ path: [], message }], sourceLabel(spec));
  };
  if (spec === '-') return readStdinText(io, fail);
  const m = SCHEME.exec(spec);
  if (!m || m[1]!.length === 1) return readFileOrFail(spec, fail); // a drive letter or a plain path
  const [, scheme, rest] = m as unknown as [string, string, string];
  switch (scheme) {
    case 'file':
      return readFileOrFail(rest, fail);
    case 'env': {
      const v = io.env[rest];
      if (v === undefined) return fail(`environment variable "${escapeControl(rest)}" is not set`);
      return v;
    }
    case 'yaml':
      return rest;
    default:
      return fail(
        `unsupported config URI scheme "${escapeControl(scheme)}" (supported: ${SCHEMES.join(', ')}, a file path, or - for stdin)`,
      );
  }
}

function readFileOrFail(path: string, fail: (m: string) => never): string {
  try {
    return readConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigFileError) return fail(err.message);
    throw err;
  }
}

function readStdinText(io: SourceIo, fail: (m: string) => never): string {
  const bytes = io.readStdin ? Buffer.from(io.readStdin()) : readFileSync(0);
  if (bytes.length > MAX_CONFIG_BYTES)
    return fail(`the input is more than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; a config may be at most that`);
  return bytes.toString('utf8');
}

/**
 * One `--set` as a config fragment. Keys are separated by `::` or `.` (the
 * Collector turns `.` into `::`); the value is typed as YAML (`2s`, `10`, `true`, `[a, b]`).
 */
export function setFragment(set: string): Record<string, unknown> {
  const eq = set.indexOf('=');
  if (eq < 1)
    throw new ConfigError([
      { path: [], message: `--set "${escapeControl(set)}": expected key=value (e.g. processors::batch::timeout=2s)` },
    ]);
  const keys = set.slice(0, eq).trim().replaceAll('.', '::').split('::');
  if (keys.some((k) => k === ''))
    throw new ConfigError([{ path: [], message: `--set "${escapeControl(set)}": empty key segment` }]);
  let value: unknown;
  try {
    value = parseYaml(set.slice(eq + 1).trim() || '~');
  } catch (err) {
    throw new ConfigError([
      {
        path: [],
        message: `--set "${escapeControl(set)}": the value is not YAML: ${(err as Error).message.split('\n')[0]}`,
      },
    ]);
  }
  let out: unknown = value;
  for (let i = keys.length - 1; i >= 0; i--) out = { [keys[i]!]: out };
  return out as Record<string, unknown>;
}

/** `a::b::c: v` keys (the Collector's yaml: provider) become nested maps. */
function splitColonKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(splitColonKeys);
  if (!isMap(v)) return v;
  let out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    const parts = k.split('::');
    let nested: unknown = splitColonKeys(child);
    for (let i = parts.length - 1; i > 0; i--) nested = { [parts[i]!]: nested };
    out = mergeConfig(out, { [parts[0]!]: nested }) as Record<string, unknown>;
  }
  return out;
}

/** The Collector's merge: maps deep-merged, anything else (lists included) replaced by the later value. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = Object.hasOwn(out, k) ? mergeConfig(out[k], v) : v;
  return out;
}

/** The merged, not yet validated config (environment references as written), and a name for messages. */
export function mergeSources(
  sources: ConfigSources,
  io: SourceIo,
): { merged: unknown; label: string; single?: string } {
  const label = sources.configs.map(sourceLabel).join(' + ');
  const texts = sources.configs.map((c) => readSource(c, io));
  const sets = (sources.sets ?? []).map(setFragment);
  let merged: unknown = {};
  texts.forEach((text, i) => {
    const { js } = parseConfigYaml(text, sourceLabel(sources.configs[i]!));
    merged = mergeConfig(merged, splitColonKeys(js ?? {}));
  });
  for (const s of sets) merged = mergeConfig(merged, s);
  // One file alone keeps its own text, so problems are reported with its line numbers.
  const single =
    texts.length === 1 && sets.length === 0 && !sources.configs[0]!.startsWith('yaml:') ? texts[0] : undefined;
  return { merged, label: sets.length ? `${label} + --set` : label, single };
}

/** Reads, merges and validates every source; a ConfigError names each problem with its YAML path. */
export function loadConfigSources(sources: ConfigSources, registry: Registry, io: SourceIo): ServiceConfig {
  const { merged, label, single } = mergeSources(sources, io);
  if (single !== undefined) return loadConfigText(single, registry, io.env, label);
  try {
    const cfg = loadConfigText(stringify(merged), registry, io.env, label);
    for (const w of cfg.warnings) w.line = undefined;
    return cfg;
  } catch (err) {
    // Lines of the merged text would point nowhere the user can look; the YAML path says where.
    if (err instanceof ConfigError)
      throw new ConfigError(
        err.issues.map((i) => ({ ...i, line: undefined })),
        label,
      );
    throw err;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
