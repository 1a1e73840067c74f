// Reads a collector YAML file in the OpenTelemetry Collector's schema and
// turns it into a validated, typed service description. Every problem is
// collected (never just the first), each with its YAML path and line.
//
// Hostile or mistaken input is refused with one line, in time linear in its
// size: non-files, huge or binary files (read-file.ts), alias bombs, deep
// nesting and too many aliases (yaml-index.ts, expand.ts). Messages never show
// what a `${env:…}` reference expanded to (secrets.ts), and control characters
// from the file are escaped (safe-text.ts).
import { LineCounter, parseDocument } from 'yaml';
import type { Factory, Kind } from '../component/types.js';
import type { Registry } from '../component/registry.js';
import { ExpandLimitError, expandEnv, type Expansion } from './expand.js';
import { ConfigFileError, readConfigFile } from './read-file.js';
import { escapeControl } from './safe-text.js';
import { formatIssue, takeWarnings, warn, type ConfigIssue } from './schema.js';
import { ConfigSecrets } from './secrets.js';
import { indexDocument, YamlLimitError, type YamlIndex } from './yaml-index.js';
import { firstSyntaxIssue } from './yaml-syntax.js';
import { defaultDeliveryConfig, type DeliveryConfig } from '../delivery/config.js';
import { defaultTelemetryConfig, type TelemetryConfig } from '../telemetry/config.js';
import { serviceSpec, type PipelineConfig, type ServiceContext } from './service-spec.js';

export interface ComponentConfig {
  id: string;
  type: string;
  factory: Factory;
  config: unknown;
}

export type { PipelineConfig };

export interface ServiceConfig {
  receivers: Map<string, ComponentConfig>;
  processors: Map<string, ComponentConfig>;
  exporters: Map<string, ComponentConfig>;
  extensions: Map<string, ComponentConfig>;
  /** Extension ids enabled in `service.extensions`, in order. */
  serviceExtensions: string[];
  pipelines: PipelineConfig[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Worker threads that run the pipelines (`service.workers`); 0 runs them on the main thread. */
  workers: number;
  /** `service.delivery`: bounds of the delivery logs and durable mode. */
  delivery: DeliveryConfig;
  /** Options accepted but not applied (`schema.ts` `ignored()`/`warn()`), each to be logged once at start. */
  warnings: ConfigIssue[];
  /** `service.telemetry`: the collector's own logs and metrics endpoint. */
  telemetry: TelemetryConfig;
  /** The YAML this was loaded from, so pipeline workers can build the same graph. */
  source?: { text: string; file?: string };
  /** The environment values put into it, to keep out of messages (`secrets.redact(line)`). */
  secrets?: ConfigSecrets;
}

/** Problems listed in a ConfigError's message; `issues` holds them all. */
const MAX_LISTED = 200;

export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly file?: string,
  ) {
    super(configErrorMessage(issues, file));
    this.name = 'ConfigError';
  }
}

/** One line for a single problem with the whole file; else a header and one line per problem (at most MAX_LISTED). */
function configErrorMessage(issues: ConfigIssue[], file: string | undefined): string {
  const head = `Invalid configuration${file ? ` in ${escapeControl(file)}` : ''}`;
  if (issues.length === 1 && issues[0]!.path.length === 0) return `${head}: ${formatIssue(issues[0]!)}`;
  const lines = issues.slice(0, MAX_LISTED).map((i) => `  ${formatIssue(i)}`);
  if (issues.length > MAX_LISTED)
    lines.push(`  … and ${(issues.length - MAX_LISTED).toLocaleString('en')} more problems`);
  return `${head}:\n${lines.join('\n')}`;
}

const SECTIONS: { key: string; kind: Kind }[] = [
  { key: 'receivers', kind: 'receiver' },
  { key: 'processors', kind: 'processor' },
  { key: 'exporters', kind: 'exporter' },
  { key: 'extensions', kind: 'extension' },
];
const TOP_KEYS = [...SECTIONS.map((s) => s.key), 'connectors', 'service'];
const ID = /^([A-Za-z][A-Za-z0-9_]*)(?:\/([^/\s]+))?$/;

/** Reads and validates a config file; a file that cannot be a config is refused with one line. */
export function loadConfigFile(file: string, registry: Registry, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new ConfigError([{ path: [], message: err.message }], file);
    throw err;
  }
  return loadConfigText(text, registry, env, file);
}

/** The most uses of one anchor, counting nested ones, that YAML alias resolution allows (the yaml package's default). */
const MAX_ALIAS_USES = 100;

export function loadConfigText(
  text: string,
  registry: Registry,
  env: NodeJS.ProcessEnv = process.env,
  file?: string,
): ServiceConfig {
  const { js, index } = parseConfigYaml(text, file);
  const issues: ConfigIssue[] = [];
  const expansions: Expansion[] = [];
  let raw: unknown;
  try {
    raw = expandEnv(js ?? {}, env, [], issues, expansions);
  } catch (err) {
    if (err instanceof ExpandLimitError) throw new ConfigError([{ path: [], message: err.message }], file);
    throw err;
  }
  const secrets = new ConfigSecrets(expansions);
  const result = validateServiceConfig(raw, registry, issues);
  if (issues.length > 0) {
    for (const i of issues) {
      i.line ??= index.lineOf(i.path);
      secrets.redactIssue(i);
    }
    throw new ConfigError(issues, file);
  }
  for (const w of result.warnings) {
    w.line ??= index.lineOf(w.path);
    secrets.redactIssue(w);
  }
  // In file order, as a reader meets them.
  result.warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  result.source = { text, file };
  result.secrets = secrets;
  return result;
}

/** Parses YAML text into plain values, refusing syntax errors, alias bombs and deep nesting (each named with its line). */
export function parseConfigYaml(text: string, file?: string): { js: unknown; index: YamlIndex } {
  const lines = new LineCounter();
  // uniqueKeys: false: the yaml package's check is quadratic in a map's keys; indexDocument() checks instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw new ConfigError([firstSyntaxIssue(text, doc.errors, lines)], file);
  const refuse = (message: string) => new ConfigError([{ path: [], message }], file);
  const issues: ConfigIssue[] = [];
  let index;
  try {
    index = indexDocument(doc, lines, issues);
  } catch (err) {
    if (err instanceof YamlLimitError) throw refuse(err.message);
    throw err;
  }
  if (issues.length > 0) throw new ConfigError(issues, file);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_USES });
  } catch (err) {
    // The yaml package throws a ReferenceError for an alias bomb and for an alias to a missing anchor.
    if (!(err instanceof ReferenceError)) throw err;
    throw refuse(
      /Excessive alias count/.test(err.message)
        ? `YAML aliases expand too far (one anchor used more than ${MAX_ALIAS_USES} times, counting nested uses); refused as a possible alias bomb`
        : `YAML syntax error: ${err.message.split('\n')[0]}`,
    );
  }
  return { js, index };
}

/** Validates an already-parsed config object (also used by tests and in-process users). */
export function validateServiceConfig(raw: unknown, registry: Registry, issues: ConfigIssue[]): ServiceConfig {
  const out: ServiceConfig = {
    receivers: new Map(),
    processors: new Map(),
    exporters: new Map(),
    extensions: new Map(),
    serviceExtensions: [],
    pipelines: [],
    logLevel: 'info',
    workers: 0,
    delivery: defaultDeliveryConfig(),
    warnings: [],
    telemetry: defaultTelemetryConfig(),
  };
  if (!isObject(raw)) {
    issues.push({
      path: [],
      message: 'the configuration must be a map with receivers, processors, exporters, extensions and service',
    });
    return out;
  }
  for (const k of Object.keys(raw)) {
    if (!TOP_KEYS.includes(k))
      issues.push({ path: [k], message: `unknown key (expected one of: ${TOP_KEYS.join(', ')})` });
  }
  const inUse = idsInUse(raw);
  warnConnectors(raw['connectors'], issues);
  for (const { key, kind } of SECTIONS) {
    const section = raw[key];
    if (section === undefined || section === null) continue;
    if (!isObject(section)) {
      issues.push({ path: [key], message: 'must be a map of component ids to their configs' });
      continue;
    }
    const target = out[key as 'receivers'];
    for (const [id, cfg] of Object.entries(section)) {
      const m = ID.exec(id);
      if (!m) {
        issues.push({
          path: [key, id],
          message: 'component id must be type or type/name (letters, digits, underscores)',
        });
        continue;
      }
      const factory = registry.get(kind, m[1]!);
      if (!factory) {
        // A component only other signals' pipelines use is the Collector's business, not ours.
        if (inUse.has(`${key}/${id}`)) {
          issues.push({
            path: [key, id],
            message: `unknown ${kind} type "${m[1]}" (available: ${registry.typesOf(kind).join(', ')})`,
          });
        } else warn(issues, [key, id], `ignored (Auditline has no ${kind} "${m[1]}", and no logs pipeline uses it)`);
        continue;
      }
      const parsed = factory.config.parse(cfg, [key, id], issues);
      if (parsed !== undefined) target.set(id, { id, type: factory.type, factory, config: parsed });
    }
  }
  validateService(raw, out, issues);
  out.warnings = takeWarnings(issues);
  return out;
}

/** `section/id` of every component the logs pipelines and `service.extensions` name. */
function idsInUse(raw: Record<string, unknown>): Set<string> {
  const used = new Set<string>();
  const service = isObject(raw['service']) ? raw['service'] : {};
  const add = (section: string, ids: unknown) => {
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') used.add(`${section}/${id}`);
  };
  add('extensions', service['extensions']);
  const pipelines = isObject(service['pipelines']) ? service['pipelines'] : {};
  for (const [name, p] of Object.entries(pipelines)) {
    if (!/^logs(\/|$)/.test(name) || !isObject(p)) continue;
    for (const section of ['receivers', 'processors', 'exporters']) add(section, p[section]);
  }
  return used;
}

/** The Collector's `connectors` (pipelines feeding pipelines): Auditline has none. */
function warnConnectors(connectors: unknown, issues: ConfigIssue[]): void {
  if (!isObject(connectors)) return;
  for (const id of Object.keys(connectors)) warn(issues, ['connectors', id], 'ignored (Auditline has no connectors)');
}

/** `service`, through its spec; ids it names are looked up in the file's other sections. */
function validateService(raw: Record<string, unknown>, out: ServiceConfig, issues: ConfigIssue[]): void {
  const service = raw['service'];
  const ctx: ServiceContext = {
    declared: (section, id) => isObject(raw[section]) && Object.hasOwn(raw[section], id),
    listedExtensions: () => (isObject(service) && Array.isArray(service['extensions']) ? service['extensions'] : []),
  };
  const s = serviceSpec(ctx).parse(service, ['service'], issues);
  if (!s) return;
  out.serviceExtensions = s.extensions;
  out.pipelines = s.pipelines ?? [];
  out.telemetry = s.telemetry;
  out.logLevel = s.telemetry.logs.level;
  out.workers = s.workers;
  out.delivery = s.delivery;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
