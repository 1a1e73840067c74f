// `service` as a spec of the same DSL as components' configs: pipelines,
// extensions, telemetry, delivery and workers, each problem with its YAML path.
// Checks that name other sections (an id that is not configured) read them
// through a context built from the whole file.
import { deliveryConfigSpec, type DeliveryConfig } from '../delivery/config.js';
import { telemetrySpec } from '../telemetry/config.js';
import { def, int, obj, opt, warn, type ConfigIssue, type Spec, type SpecOutput } from './schema.js';

export interface PipelineConfig {
  name: string;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export type Section = 'receivers' | 'processors' | 'exporters' | 'extensions';

export interface ServiceContext {
  /** Whether `id` is a key of the top-level `section`. */
  declared(section: Section, id: string): boolean;
  /** Ids listed in `service.extensions` (as written, before validation). */
  listedExtensions(): unknown[];
}

const MAX_WORKERS = 64;
const PIPELINE_ID = /^(logs|traces|metrics|profiles)(?:\/[^/\s]+)?$/;

function issue(is: ConfigIssue[], path: (string | number)[], message: string): undefined {
  is.push({ path, message });
  return undefined;
}

/** A list of component ids of `section`, each configured and listed once. */
function idList(ctx: ServiceContext, section: Section, kind: string, required: boolean): Spec<string[]> {
  return {
    shape: `list of ${kind} ids`,
    parse(v, p, is) {
      if (v === undefined || v === null) return required ? issue(is, p, `must list at least one ${kind}`) : [];
      if (!Array.isArray(v)) return issue(is, p, `must be a list of ${kind} ids`);
      if (required && v.length === 0) issue(is, p, `must list at least one ${kind}`);
      const ids: string[] = [];
      v.forEach((id, i) => {
        if (typeof id !== 'string') issue(is, [...p, i], `must be a ${kind} id`);
        else if (!ctx.declared(section, id)) issue(is, [...p, i], `references ${kind} "${id}" which is not configured`);
        else if (ids.includes(id)) issue(is, [...p, i], `${kind} "${id}" is listed twice`);
        else ids.push(id);
      });
      return ids;
    },
  };
}

function pipelineSpec(ctx: ServiceContext): Spec<Omit<PipelineConfig, 'name'>> {
  const fields = obj({
    receivers: opt(idList(ctx, 'receivers', 'receiver', true)),
    processors: opt(idList(ctx, 'processors', 'processor', false)),
    exporters: opt(idList(ctx, 'exporters', 'exporter', true)),
  });
  return {
    shape: 'map with receivers, processors and exporters',
    fields: fields.fields,
    parse(v, p, is) {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return issue(is, p, 'must be a map with receivers, processors and exporters');
      // A missing list is given as null, so that "must list at least one" is reported beside other problems.
      const r = fields.parse({ receivers: null, processors: null, exporters: null, ...v }, p, is);
      return r && { receivers: r.receivers!, processors: r.processors!, exporters: r.exporters! };
    },
  };
}

/** `logs` or `logs/<name>` → pipeline; other signals' pipelines load with a warning and do not run. */
function pipelinesSpec(ctx: ServiceContext): Spec<PipelineConfig[]> {
  const pipeline = pipelineSpec(ctx);
  return {
    shape: 'map of logs pipelines (logs or logs/<name>)',
    item: pipeline as Spec<unknown>,
    parse(v, p, is) {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length === 0) {
        return issue(is, p, 'must define at least one logs pipeline (logs or logs/<name>)');
      }
      const out: PipelineConfig[] = [];
      let ok = true;
      for (const [name, value] of Object.entries(v)) {
        const m = PIPELINE_ID.exec(name);
        if (!m) ok = issue(is, [...p, name], 'pipeline id must be logs or logs/<name>') ?? false;
        else if (m[1] !== 'logs') warn(is, [...p, name], 'ignored (Auditline collects logs only)');
        else {
          const r = pipeline.parse(value, [...p, name], is);
          if (r) out.push({ name, ...r });
          else ok = false;
        }
      }
      if (ok && out.length === 0) return issue(is, p, 'must define at least one logs pipeline (logs or logs/<name>)');
      return ok ? out : undefined;
    },
  };
}

/** `service.delivery`, whose `storage` must be a file_storage extension also enabled in `service.extensions`. */
function deliverySpec(ctx: ServiceContext): Spec<DeliveryConfig> {
  return {
    ...deliveryConfigSpec,
    parse(v, p, is) {
      const d = deliveryConfigSpec.parse(v, p, is);
      // Checked from the value as written, so this is reported beside the section's other problems.
      const id = (v as { storage?: unknown } | null)?.storage;
      if (typeof id !== 'string' || id === '') return d;
      const at = [...p, 'storage'];
      if (!ctx.declared('extensions', id)) return issue(is, at, `references extension "${id}" which is not configured`);
      if (!/^file_storage(\/|$)/.test(id)) return issue(is, at, `must name a file_storage extension, not "${id}"`);
      if (!ctx.listedExtensions().includes(id))
        return issue(is, at, `extension "${id}" must also be listed in service.extensions`);
      return d;
    },
  };
}

function serviceFields(ctx: ServiceContext) {
  return obj({
    extensions: def(idList(ctx, 'extensions', 'extension', false), []),
    pipelines: opt(pipelinesSpec(ctx)),
    telemetry: def(telemetrySpec, () => telemetrySpec.parse({}, [], [])!),
    // Every exporter runs with pipeline workers: a copy per worker, or a single writer fed by them.
    workers: def(int({ min: 0, max: MAX_WORKERS }), 0),
    delivery: def(deliverySpec(ctx), () => deliveryConfigSpec.parse({}, [], [])!),
  });
}

export type ServiceSection = NonNullable<SpecOutput<ReturnType<typeof serviceFields>>>;

/** The `service` section; required, and with at least one logs pipeline. */
export function serviceSpec(ctx: ServiceContext): Spec<ServiceSection> {
  const fields = serviceFields(ctx);
  return {
    shape: fields.shape,
    fields: fields.fields,
    parse(v, p, is) {
      if (v === undefined) return issue(is, p, 'is required (with pipelines)');
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return issue(is, p, 'must be a map');
      // Missing pipelines are given as null, so that their absence is reported by the pipelines spec.
      return fields.parse({ pipelines: null, ...v }, p, is);
    },
  };
}
