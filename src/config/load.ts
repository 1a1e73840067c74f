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
import { formatIssue, takeWarnings, type ConfigIssue } from './schema.js';
import { ConfigSecrets } from './secrets.js';
import { indexDocument, YamlLimitError } from './yaml-index.js';
import { firstSyntaxIssue } from './yaml-syntax.js';
import { defaultDeliveryConfig, deliveryConfigSpec, type DeliveryConfig } from '../delivery/config.js';

export interface ComponentConfig {
  id: string;
  type: string;
  factory: Factory;
  config: unknown;
}

export interface PipelineConfig {
  name: string;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

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
  /** The YAML this was loaded from, so pipeline workers can build the same graph. */
  source?: { text: string; file?: string };
  /** The environment values put into it, to keep out of messages (`secrets.redact(line)`). */
  secrets?: ConfigSecrets;
}

/** Problems listed in a ConfigError's message; `issues` holds them all. */
const MAX_LISTED = 200;

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[], readonly file?: string) {
    super(configErrorMessage(issues, file));
    this.name = 'ConfigError';
  }
}

/** One line for a single problem with the whole file; else a header and one line per problem (at most MAX_LISTED). */
function configErrorMessage(issues: ConfigIssue[], file: string | undefined): string {
  const head = `Invalid configuration${file ? ` in ${escapeControl(file)}` : ''}`;
  if (issues.length === 1 && issues[0]!.path.length === 0) return `${head}: ${formatIssue(issues[0]!)}`;
  const lines = issues.slice(0, MAX_LISTED).map((i) => `  ${formatIssue(i)}`);
  if (issues.length > MAX_LISTED) lines.push(`  … and ${(issues.length - MAX_LISTED).toLocaleString('en')} more problems`);
  return `${head}:\n${lines.join('\n')}`;
}

const SECTIONS: { key: string; kind: Kind }[] = [
  { key: 'receivers', kind: 'receiver' },
  { key: 'processors', kind: 'processor' },
  { key: 'exporters', kind: 'exporter' },
  { key: 'extensions', kind: 'extension' },
];
const TOP_KEYS = [...SECTIONS.map((s) => s.key), 'service'];
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

export function loadConfigText(text: string, registry: Registry, env: NodeJS.ProcessEnv = process.env, file?: string): ServiceConfig {
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
    throw refuse(/Excessive alias count/.test(err.message)
      ? `YAML aliases expand too far (one anchor used more than ${MAX_ALIAS_USES} times, counting nested uses); refused as a possible alias bomb`
      : `YAML syntax error: ${err.message.split('\n')[0]}`);
  }
  const expansions: Expansion[] = [];
  let raw: unknown;
  try {
    raw = expandEnv(js ?? {}, env, [], issues, expansions);
  } catch (err) {
    if (err instanceof ExpandLimitError) throw refuse(err.message);
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
  result.source = { text, file };
  result.secrets = secrets;
  return result;
}

/** Validates an already-parsed config object (also used by tests and in-process users). */
export function validateServiceConfig(raw: unknown, registry: Registry, issues: ConfigIssue[]): ServiceConfig {
  const out: ServiceConfig = {
    receivers: new Map(), processors: new Map(), exporters: new Map(), extensions: new Map(),
    serviceExtensions: [], pipelines: [], logLevel: 'info', workers: 0, delivery: defaultDeliveryConfig(), warnings: [],
  };
  if (!isObject(raw)) {
    issues.push({ path: [], message: 'the configuration must be a map with receivers, processors, exporters, extensions and service' });
    return out;
  }
  for (const k of Object.keys(raw)) {
    if (!TOP_KEYS.includes(k)) issues.push({ path: [k], message: `unknown key (expected one of: ${TOP_KEYS.join(', ')})` });
  }
  for (const { key, kind } of SECTIONS) {
    const section = raw[key];
    if (section === undefined || section === null) continue;
    if (!isObject(section)) { issues.push({ path: [key], message: 'must be a map of component ids to their configs' }); continue; }
    const target = out[key as 'receivers'];
    for (const [id, cfg] of Object.entries(section)) {
      const m = ID.exec(id);
      if (!m) { issues.push({ path: [key, id], message: 'component id must be type or type/name (letters, digits, underscores)' }); continue; }
      const factory = registry.get(kind, m[1]!);
      if (!factory) {
        issues.push({ path: [key, id], message: `unknown ${kind} type "${m[1]}" (available: ${registry.typesOf(kind).join(', ')})` });
        continue;
      }
      const parsed = factory.config.parse(cfg, [key, id], issues);
      if (parsed !== undefined) target.set(id, { id, type: factory.type, factory, config: parsed });
    }
  }
  validateService(raw['service'], raw, out, issues);
  validateWorkers(isObject(raw['service']) ? raw['service']['workers'] : undefined, out, issues);
  out.warnings = takeWarnings(issues);
  return out;
}

function validateService(service: unknown, raw: Record<string, unknown>, out: ServiceConfig, issues: ConfigIssue[]): void {
  if (!isObject(service)) {
    issues.push({ path: ['service'], message: service === undefined ? 'is required (with pipelines)' : 'must be a map' });
    return;
  }
  const allowed = ['extensions', 'pipelines', 'telemetry', 'workers', 'delivery'];
  for (const k of Object.keys(service)) {
    if (!allowed.includes(k)) issues.push({ path: ['service', k], message: `unknown key (expected one of: ${allowed.join(', ')})` });
  }
  const declared = (section: string, id: string) => isObject(raw[section]) && Object.hasOwn(raw[section] as object, id);

  const exts = service['extensions'];
  if (exts !== undefined && exts !== null) {
    if (!Array.isArray(exts)) issues.push({ path: ['service', 'extensions'], message: 'must be a list of extension ids' });
    else exts.forEach((id, i) => {
      if (typeof id !== 'string') issues.push({ path: ['service', 'extensions', i], message: 'must be an extension id' });
      else if (!declared('extensions', id)) issues.push({ path: ['service', 'extensions', i], message: `references extension "${id}" which is not configured` });
      else if (out.serviceExtensions.includes(id)) issues.push({ path: ['service', 'extensions', i], message: `extension "${id}" is listed twice` });
      else out.serviceExtensions.push(id);
    });
  }

  validateTelemetry(service['telemetry'], out, issues);

  if (service['delivery'] !== undefined && service['delivery'] !== null) {
    const d = deliveryConfigSpec.parse(service['delivery'], ['service', 'delivery'], issues);
    if (d) out.delivery = d;
    if (d?.storage !== undefined) {
      const ext = isObject(raw['extensions']) ? Object.keys(raw['extensions']) : [];
      if (!ext.includes(d.storage)) issues.push({ path: ['service', 'delivery', 'storage'], message: `references extension "${d.storage}" which is not configured` });
      else if (!/^file_storage(\/|$)/.test(d.storage)) issues.push({ path: ['service', 'delivery', 'storage'], message: `must name a file_storage extension, not "${d.storage}"` });
      else if (!Array.isArray(exts) || !exts.includes(d.storage)) issues.push({ path: ['service', 'delivery', 'storage'], message: `extension "${d.storage}" must also be listed in service.extensions` });
    }
  }

  const pipelines = service['pipelines'];
  if (!isObject(pipelines) || Object.keys(pipelines).length === 0) {
    issues.push({ path: ['service', 'pipelines'], message: 'must define at least one logs pipeline (logs or logs/<name>)' });
    return;
  }
  for (const [name, p] of Object.entries(pipelines)) {
    const path = ['service', 'pipelines', name];
    const m = /^(logs|traces|metrics|profiles)(?:\/[^/\s]+)?$/.exec(name);
    if (!m) { issues.push({ path, message: 'pipeline id must be logs or logs/<name>' }); continue; }
    if (m[1] !== 'logs') { issues.push({ path, message: `Auditline runs logs pipelines only; "${m[1]}" pipelines are not supported` }); continue; }
    if (!isObject(p)) { issues.push({ path, message: 'must be a map with receivers, processors and exporters' }); continue; }
    for (const k of Object.keys(p)) {
      if (!['receivers', 'processors', 'exporters'].includes(k)) issues.push({ path: [...path, k], message: 'unknown key (expected one of: receivers, processors, exporters)' });
    }
    const list = (key: 'receivers' | 'processors' | 'exporters', kind: string, required: boolean): string[] => {
      const v = p[key];
      if (v === undefined || v === null) {
        if (required) issues.push({ path: [...path, key], message: `must list at least one ${kind}` });
        return [];
      }
      if (!Array.isArray(v)) { issues.push({ path: [...path, key], message: `must be a list of ${kind} ids` }); return []; }
      if (required && v.length === 0) issues.push({ path: [...path, key], message: `must list at least one ${kind}` });
      const ids: string[] = [];
      v.forEach((id, i) => {
        if (typeof id !== 'string') issues.push({ path: [...path, key, i], message: `must be a ${kind} id` });
        else if (!declared(key, id)) issues.push({ path: [...path, key, i], message: `references ${kind} "${id}" which is not configured` });
        else if (ids.includes(id)) issues.push({ path: [...path, key, i], message: `${kind} "${id}" is listed twice` });
        else ids.push(id);
      });
      return ids;
    };
    out.pipelines.push({
      name,
      receivers: list('receivers', 'receiver', true),
      processors: list('processors', 'processor', false),
      exporters: list('exporters', 'exporter', true),
    });
  }
}

const MAX_WORKERS = 64;

// Every pipeline worker builds its own copy of each exporter, so an exporter
// that must be the only writer of its target cannot be used with more than one
// (unless it is prepared in workers and written on the main thread).
// Each worker keeps its own delivery logs, durable ones in their own folders.
function validateWorkers(v: unknown, out: ServiceConfig, issues: ConfigIssue[]): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_WORKERS) {
    issues.push({ path: ['service', 'workers'], message: `must be an integer from 0 to ${MAX_WORKERS}` });
    return;
  }
  out.workers = v;
  if (v === 0) return;
  const used = new Set(out.pipelines.flatMap((p) => p.exporters));
  for (const id of used) {
    const c = out.exporters.get(id);
    if (!c || c.factory.kind !== 'exporter') continue;
    if (c.factory.mainThreadOnly) {
      issues.push({ path: ['service', 'workers'], message: `exporter "${id}" cannot run in pipeline workers (${c.factory.mainThreadOnly}); use workers: 0, or a second pipeline in another collector for it` });
    }
  }
}

function validateTelemetry(t: unknown, out: ServiceConfig, issues: ConfigIssue[]): void {
  if (t === undefined || t === null) return;
  if (!isObject(t)) { issues.push({ path: ['service', 'telemetry'], message: 'must be a map' }); return; }
  for (const [k, v] of Object.entries(t)) {
    if (k === 'logs') {
      if (!isObject(v)) { issues.push({ path: ['service', 'telemetry', 'logs'], message: 'must be a map' }); continue; }
      for (const [lk, lv] of Object.entries(v)) {
        if (lk === 'level') {
          const level = String(lv).toLowerCase();
          const map: Record<string, ServiceConfig['logLevel']> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error' };
          if (map[level]) out.logLevel = map[level]!;
          else issues.push({ path: ['service', 'telemetry', 'logs', 'level'], message: 'must be one of debug, info, warn, error' });
        } else if (!['encoding', 'development', 'output_paths', 'error_output_paths'].includes(lk)) {
          issues.push({ path: ['service', 'telemetry', 'logs', lk], message: 'unknown key (expected: level)' });
        }
      }
    } else if (k !== 'metrics' && k !== 'resource') {
      issues.push({ path: ['service', 'telemetry', k], message: 'unknown key (expected one of: logs, metrics, resource)' });
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
