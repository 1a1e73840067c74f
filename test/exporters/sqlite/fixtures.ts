// Shared helpers for the SQLite, query API and `logs` command tests: real
// records, a temp directory, a host with a real tap and telemetry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Host } from '../../../src/component/types.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { createLogger, silentLogger, type InternalLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';

export const resource = resourceFromAttributes({ 'service.name': 'interview-platform' });
const scope = { name: 'test' };

export interface RecordSpec {
  time?: number;
  severity?: number;
  body?: AnyValue;
  event?: string;
  attrs?: LogAttributes;
  traceId?: string;
  spanId?: string;
}

export function record(s: RecordSpec = {}): LogRecordData {
  const r = new LogRecordData(resource, scope);
  const ms = s.time ?? Date.now();
  r.hrTime = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  r.hrTimeObserved = r.hrTime;
  r.severityNumber = s.severity ?? 9;
  r.body = s.body;
  r.eventName = s.event;
  r.attributes = s.attrs ?? {};
  if (s.traceId) r.spanContext = { traceId: s.traceId, spanId: s.spanId ?? '0102030405060708', traceFlags: 1 };
  return r;
}

/** Severity numbers at the start of each seed level. */
export const SEV = { TRACE: 1, DEBUG: 5, INFO: 9, WARNING: 13, ERROR: 17, CRITICAL: 21 } as const;

export function tempDir(prefix = 'auditline-sqlite-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestHost extends Host {
  extensions: Map<string, { type: string; ext: unknown }>;
}

export function testHost(opts: { logger?: InternalLogger } = {}): TestHost {
  const extensions = new Map<string, { type: string; ext: unknown }>();
  return {
    extensions,
    tap: new RecordTap(),
    logger: opts.logger ?? silentLogger,
    telemetry: new Telemetry(),
    getExtension: <T>(id: string) => extensions.get(id)?.ext as T | undefined,
    findExtension: <T>(type: string) => [...extensions.values()].find((e) => e.type === type)?.ext as T | undefined,
  };
}

/** A logger that keeps its lines, for asserting on what was logged. */
export function captureLogger(): { logger: InternalLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('test', { level: 'debug', write: (l) => lines.push(l), burstWindowMs: 0 }), lines };
}
