// Reads a collector YAML file in the OpenTelemetry Collector's schema and
// turns it into a validated, typed service description. Every problem is
// collected (never just the first), each with its YAML path and line.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { Factory, Kind } from '../component/types.js';
import type { Registry } from '../component/registry.js';
import { expandEnv } from './expand.js';
import { formatIssue, type ConfigIssue } from './schema.js';
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
  /** The YAML this was loaded from, so pipeline workers can build the same graph. */
  source?: { text: string; file?: string };
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[], readonly file?: string) {
    super(`Invalid configuration${file ? ` in ${file}` : ''}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECTIONS: { key: string; kind: Kind }[] = [
  { key: 'receivers', kind: 'receiver' },
  { key: 'processors', kind: 'processor' },
  { key: 'exporters', kind: 'exporter' },
  { key: 'extensions', kind: 'extension' },
];
const TOP_KEYS = [...SECTIONS.map((s) => s.key), 'service'];
const ID = /^([A-Za-z][A-Za-z0-9_]*)(?:\/([^/\s]+))?$/;

export function loadConfigFile(file: string, registry: Registry, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: [], message: `cannot read config file: ${(err as Error).message}` }], file);
  }
  return loadConfigText(text, registry, env, file);
}

export function loadConfigText(text: string, registry: Registry, env: NodeJS.ProcessEnv = process.env, file?: string): ServiceConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({
      path: [], message: `YAML syntax error: ${e.message.split('\n')[0]}`, line: lines.linePos(e.pos[0]).line,
    })), file);
  }
  const issues: ConfigIssue[] = [];
  const raw = expandEnv(doc.toJS() ?? {}, env, [], issues);
  const result = validateServiceConfig(raw, registry, issues);
  if (issues.length > 0) {
    for (const i of issues) i.line ??= lineOf(doc, lines, i.path);
    throw new ConfigError(issues, file);
  }
  result.source = { text, file };
  return result;
}

/** Validates an already-parsed config object (also used by tests and in-process users). */
export function validateServiceConfig(raw: unknown, registry: Registry, issues: ConfigIssue[]): ServiceConfig {
  const out: ServiceConfig = {
    receivers: new Map(), processors: new Map(), exporters: new Map(), extensions: new Map(),
    serviceExtensions: [], pipelines: [], logLevel: 'info', workers: 0, delivery: defaultDeliveryConfig(),
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

/** The 1-based line of the deepest node that exists on the path. */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray((node as { range?: unknown }).range)) {
      // For a map entry, point at the key rather than the value's first line.
      if (n < path.length || !(isMap(node) || isScalar(node))) return lines.linePos((node as { range: number[] }).range[0]!).line;
      const parent = n > 0 ? doc.getIn(path.slice(0, n - 1), true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(path[n - 1]));
        const key = pair?.key as { range?: number[] } | undefined;
        if (key?.range) return lines.linePos(key.range[0]!).line;
      }
      return lines.linePos((node as { range: number[] }).range[0]!).line;
    }
  }
  return undefined;
}
