// The `file` exporter: JSON lines, one record per line, written in one chunk
// per batch to a size-rotated file. Exports run one at a time so lines never
// interleave and rotation sees a consistent size.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Host } from '../../src/component/types.js';
import type { PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { maxFileBytes, type FileConfig } from './config.js';
import { RecordJson } from './record-json.js';
import { RotatingFile } from './rotating-file.js';

export class FileLogExporter implements PushExporter {
  readonly maxConcurrency = 1;
  private readonly file: RotatingFile;
  private readonly json = new RecordJson();
  private opened = false;

  constructor(cfg: FileConfig) {
    this.file = new RotatingFile(cfg.path, {
      maxBytes: maxFileBytes(cfg.rotation),
      maxBackups: cfg.rotation.max_backups,
      maxDays: cfg.rotation.max_days,
      localtime: cfg.rotation.localtime,
      truncate: !cfg.append,
    });
  }

  async start(_host?: Host): Promise<void> {
    if (this.opened) return;
    await this.file.open();
    this.opened = true;
  }

  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void {
    if (!this.opened) { done({ code: ExportResultCode.FAILED, error: new Error(`File ${this.file.path} is not open.`) }); return; }
    const lines = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) lines[i] = this.json.line(records[i]!);
    this.file.writeLines(lines).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.opened = false;
    await this.file.close();
  }
}
