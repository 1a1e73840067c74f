// The `debug` exporter: what the Collector's debug exporter prints for logs.
// Each batch writes a summary entry ("LogsExporter" with the resource logs and
// log record counts) and, above `basic`, a second entry with the batch rendered
// (one line per record, or every field). With the internal logger (the
// default) entries go to stderr as the Collector's console log writes them:
// `<time>\tinfo\t<message>\t{"kind": "exporter", "data_type": "logs", "name": "<id>", ...}`.
import { createWriteStream, type WriteStream } from 'node:fs';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushExporter, ResultCallback } from '../../src/exporterhelper/push-exporter.js';
import type { Verbosity } from './config.js';
import { detailedText, groupRecords, normalText } from './otlp-text.js';
import { Sampler } from './sampler.js';

export interface DebugExporterOptions {
  id: string;
  verbosity: Verbosity;
  sampling_initial: number;
  sampling_thereafter: number;
  use_internal_logger: boolean;
  output_paths?: string[];
  /** Write here instead (tests). */
  streams?: NodeJS.WritableStream[];
  /** Clock for the time prefix and the sampler (tests). */
  now?: () => number;
}

/** zap's console encoding of fields: JSON with a space after each colon and comma. */
function zapFields(fields: [string, string | number][]): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

export class DebugExporter implements PushExporter<ReadableLogRecord[]> {
  /** Entries of consecutive batches stay in order. */
  readonly maxConcurrency = 1;
  private readonly sampler: Sampler;
  private readonly now: () => number;
  private streams: NodeJS.WritableStream[];
  private readonly owned: WriteStream[] = [];
  private readonly base: [string, string][];

  constructor(private readonly opts: DebugExporterOptions) {
    this.now = opts.now ?? Date.now;
    this.sampler = new Sampler(opts.sampling_initial, opts.sampling_thereafter, this.now);
    // The internal logger carries the component's fields; the exporter's own logger has none.
    this.base = opts.use_internal_logger
      ? [
          ['kind', 'exporter'],
          ['data_type', 'logs'],
          ['name', opts.id],
        ]
      : [];
    this.streams =
      opts.streams ??
      (opts.use_internal_logger ? [process.stderr] : (opts.output_paths ?? ['stdout']).map((p) => this.open(p)));
  }

  /** Its payload is the batch itself. */
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }

  exportPrepared(records: ReadableLogRecord[], done: ResultCallback): void {
    this.export(records, done);
  }

  export(records: ReadableLogRecord[], done: ResultCallback): void {
    const resources = groupRecords(records).size;
    let text = this.entry('LogsExporter', [
      ['resource logs', resources],
      ['log records', records.length],
    ]);
    if (this.opts.verbosity !== 'basic') {
      text += this.entry(this.opts.verbosity === 'detailed' ? detailedText(records) : normalText(records), []);
    }
    if (text !== '') for (const s of this.streams) s.write(text);
    done({ code: ExportResultCode.SUCCESS });
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    const owned = this.owned.splice(0);
    this.streams = [];
    await Promise.all(owned.map((s) => new Promise<void>((r) => s.end(() => r()))));
  }

  /** One log entry as zap's console encoder writes it, or '' when the sampler drops it. */
  private entry(message: string, fields: [string, number][]): string {
    if (!this.sampler.allow(message)) return '';
    const all = [...this.base, ...fields];
    const tail = all.length > 0 ? `\t${zapFields(all)}` : '';
    const head = this.opts.use_internal_logger ? `${new Date(this.now()).toISOString()}\tinfo\t` : '';
    return `${head}${message}${tail}\n`;
  }

  private open(path: string): NodeJS.WritableStream {
    if (path === 'stdout') return process.stdout;
    if (path === 'stderr') return process.stderr;
    const s = createWriteStream(path, { flags: 'a' });
    this.owned.push(s);
    return s;
  }
}
