// Builds an ExporterFactory from an exporter's own config fields and a
// function that makes its PushExporter from the parsed, typed config. The
// sending queue, retry and timeout keys are added here, so every exporter has them.
import { objWith, type Check, type Fields, type ObjOut } from '../config/schema.js';
import type { CreateSettings, ExporterFactory } from '../component/types.js';
import { exporterHelperFields, type ExporterHelperSettings } from './config.js';
import type { PushExporter } from './push-exporter.js';
import { QueuedExporter } from './queued-exporter.js';

/** An exporter's parsed options with the exporter helper's. */
export type ExporterConfig<F extends Fields> = ObjOut<F> & ObjOut<typeof exporterHelperFields>;

export interface ExporterDefinition<F extends Fields, P> {
  type: string;
  aliases?: string[];
  description: string;
  fields: F;
  /**
   * One instance writes the target (a database, files): with pipeline workers each worker runs only
   * `prepare`, on its own thread, and the main thread's instance writes the payloads (see ExporterFactory).
   */
  singleWriter?: boolean;
  /** Cross-field checks after each field parsed; call `add(key, message)` per problem. */
  check?: Check<ExporterConfig<F>>;
  create(settings: CreateSettings, config: ExporterConfig<F>): PushExporter<P>;
}

export function defineExporter<F extends Fields, P>(def: ExporterDefinition<F, P>): ExporterFactory<ExporterConfig<F>> {
  const spec = objWith(def.fields, exporterHelperFields, def.check);
  return {
    kind: 'exporter',
    type: def.type,
    aliases: def.aliases,
    description: def.description,
    singleWriter: def.singleWriter,
    config: spec,
    create(settings, config) {
      return new QueuedExporter(settings, def.create(settings, config), helperSettings(config));
    },
    createPush(settings, config) {
      return { exporter: def.create(settings, config), helper: helperSettings(config) };
    },
  };
}

function helperSettings(c: ExporterHelperSettings): ExporterHelperSettings {
  return { sending_queue: c.sending_queue, retry_on_failure: c.retry_on_failure, timeout: c.timeout };
}
