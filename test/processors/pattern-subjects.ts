// The calls the filter and attributes linear-time tests time in a worker
// thread (test/matching/growth-worker.mjs): a processor built from its
// YAML-shaped config, fed one record holding the input. Both processors do
// their matching synchronously inside consume(), before handing the batch on.
import type { LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogsConsumer, Processor, ProcessorFactory } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import { LogRecordData } from '../../src/model/log-record.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Telemetry } from '../../src/telemetry/metrics.js';
import { attributesProcessorFactory } from '../../processors/attributes/factory.js';
import { filterProcessorFactory } from '../../processors/filter/factory.js';

const discard: LogsConsumer = { consume: (_r: ReadableLogRecord[]) => Promise.resolve() };
const resource = resourceFromAttributes({ 'service.name': 'api' });

function build(factory: ProcessorFactory<unknown>, raw: unknown): Processor {
  const issues: ConfigIssue[] = [];
  const cfg = factory.config.parse(raw, ['processors', factory.type], issues);
  if (cfg === undefined) throw new Error(issues.map(formatIssue).join('\n'));
  return factory.create(
    { id: factory.type, logger: silentLogger, telemetry: new Telemetry() },
    cfg,
    discard,
  ) as Processor;
}

type Where = 'body' | 'value' | 'key';

function record(where: Where, s: string): LogRecordData {
  const r = new LogRecordData(resource, { name: 'app' });
  r.attributes = (where === 'key' ? { [s]: 'x', v: 'x' } : where === 'value' ? { v: s } : { v: 'x' }) as LogAttributes;
  if (where === 'body') r.body = s;
  return r;
}

function subject(factory: ProcessorFactory<unknown>, config: unknown, where: Where): (s: string) => unknown {
  const p = build(factory, config);
  return (s) => p.consume([record(where, s)]);
}

/** The filter processor with `config`; the input is the body, the value of attribute `v`, or an attribute name. */
export function filter(config: unknown, where: Where): (s: string) => unknown {
  return subject(filterProcessorFactory as ProcessorFactory<unknown>, config, where);
}

/** The attributes processor with `config`; the input as for `filter`. */
export function attributes(config: unknown, where: Where): (s: string) => unknown {
  return subject(attributesProcessorFactory as ProcessorFactory<unknown>, config, where);
}
