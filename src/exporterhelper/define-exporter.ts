// Builds an ExporterFactory from an exporter's own config fields and a
// function that makes its SDK LogRecordExporter. The sending queue, retry
// and timeout keys are added here, so every exporter has them.
import { obj, type Field } from '../config/schema.js';
import type { CreateSettings, ExporterFactory } from '../component/types.js';
import { exporterHelperFields, type ExporterHelperSettings } from './config.js';
import { QueuedExporter, type PushExporter } from './queued-exporter.js';

type Fields = Record<string, Field<unknown>>;
type Parsed<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface ExporterDefinition<F extends Fields> {
  type: string;
  aliases?: string[];
  description: string;
  fields: F;
  /** Why the exporter cannot run once per pipeline worker; see ExporterFactory. */
  mainThreadOnly?: string;
  /** In pipeline workers, only build payloads (the exporter's `prepare`) for the main thread's instance; see ExporterFactory. */
  preparedInWorkers?: boolean;
  /** Cross-field checks after each field parsed; call `add(key, message)` per problem. */
  check?: (cfg: Parsed<F>, add: (key: string | null, msg: string) => void) => void;
  /** Helper defaults this exporter prefers (e.g. one consumer for an ordered file). */
  create(settings: CreateSettings, config: Parsed<F> & ExporterHelperSettings): PushExporter;
}

export function defineExporter<F extends Fields>(def: ExporterDefinition<F>): ExporterFactory<Parsed<F> & ExporterHelperSettings> {
  const spec = obj({ ...def.fields, ...exporterHelperFields }, def.check as never);
  return {
    kind: 'exporter',
    type: def.type,
    aliases: def.aliases,
    description: def.description,
    mainThreadOnly: def.mainThreadOnly,
    preparer: def.preparedInWorkers ? (settings, config) => {
      const inner = def.create(settings, config);
      if (!inner.prepare) throw new Error(`Exporter "${def.type}" has no prepare(), so it cannot be prepared in workers.`);
      return inner as Required<Pick<PushExporter, 'prepare'>>;
    } : undefined,
    config: spec as never,
    create(settings, config) {
      return new QueuedExporter(settings, def.create(settings, config), config);
    },
    createPush(settings, config) {
      return { exporter: def.create(settings, config), helper: config };
    },
  };
}
