import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter } from '../../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { tempDir } from '../../helpers/collector.js';
import { readWithPython } from './python-reader.js';
import { exportRecords, record } from './records.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-msgpack-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('msgpack_audit exporter', () => {
  it('msgpack_audit – records emitted through the SDK batch processor are read back by the seed Python snippet', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, 'logs', 'my_collection') });
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('search-api');
    const spanContext = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      traceFlags: TraceFlags.SAMPLED,
    };
    logger.emit({
      eventName: 'search_request',
      timestamp: 1_705_314_645_123,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'Search served.',
      context: trace.setSpanContext(context.active(), spanContext),
      attributes: {
        'session.id': 'abc123',
        strategy: 'knn',
        n: 10,
        request_timestamp: 1_705_314_645_000,
        score: 0.5,
        exact: true,
        results: ['m1', 'm2'],
        params: { query: 'red car', page: 2 },
      },
    });
    logger.emit({ timestamp: 1_705_314_646_000, severityNumber: SeverityNumber.WARN, body: 'Slow disk.' });
    await provider.shutdown();

    const rows = readWithPython(join(dir, 'logs', 'my_collection', 'audit.log'));
    expect(rows).toHaveLength(2);
    const [a, b] = rows;
    expect(a!.keys).toEqual(['action', 'session', 'timestamp', 'data']);
    expect(a!.timestamp_type).toBe('int');
    expect(a!.entry).toEqual({
      action: 'search_request',
      session: 'abc123',
      timestamp: 1_705_314_645_123,
      data: {
        body: 'Search served.',
        severity: 'INFO',
        trace_id: '5b8efff798038103d269b633813fc60c',
        span_id: 'eee19b7ec3c1b174',
        strategy: 'knn',
        n: 10,
        request_timestamp: 1_705_314_645_000,
        score: 0.5,
        exact: true,
        results: ['m1', 'm2'],
        params: { query: 'red car', page: 2 },
      },
    });
    expect(a!.types).toMatchObject({
      n: 'int',
      request_timestamp: 'int',
      score: 'float',
      exact: 'bool',
      results: 'list',
      params: 'dict',
    });
    expect(b!.keys).toEqual(['action', 'session', 'timestamp', 'data']);
    expect(b!.entry).toEqual({
      action: 'log',
      session: '',
      timestamp: 1_705_314_646_000,
      data: { body: 'Slow disk.', severity: 'WARNING' },
    });
  });

  it('msgpack_audit – action falls back to the event.name attribute, and event.name and session.id stay out of data', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    const res = await exportRecords(exporter, [
      record({
        attributes: { 'event.name': 'item_request', 'session.id': 's-9', ids: [1, 2, 3] },
        severityNumber: SeverityNumber.DEBUG,
      }),
      record({
        eventName: 'add_model',
        attributes: { 'event.name': 'ignored', modelId: 'clip' },
        severityText: 'ERROR',
      }),
      record({ attributes: { 'session.id': 42 } }),
    ]);
    expect(res.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const rows = readWithPython(join(dir, 'audit.log')).map((r) => r.entry);
    expect(rows[0]).toEqual({
      action: 'item_request',
      session: 's-9',
      timestamp: 1_705_314_645_123,
      data: { severity: 'DEBUG', ids: [1, 2, 3] },
    });
    expect(rows[1]).toEqual({
      action: 'add_model',
      session: '',
      timestamp: 1_705_314_645_123,
      data: { severity: 'ERROR', modelId: 'clip' },
    });
    expect(rows[2]).toEqual({ action: 'log', session: '42', timestamp: 1_705_314_645_123, data: { severity: 'INFO' } });
  });

  it('msgpack_audit – encodes every value shape: int widths, floats, unicode and long strings, bytes, deep maps, 16+ keys', async () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 40; i++) many[`k${i}`] = i;
    const long = 'x'.repeat(70_000);
    const attributes = {
      ...many,
      u8: 200,
      u16: 60_000,
      u32: 4_000_000_000,
      u64: 2 ** 40,
      neg5: -5,
      neg100: -100,
      neg40k: -40_000,
      neg3e9: -3_000_000_000,
      neg2p40: -(2 ** 40),
      zero: 0,
      f: -1.25,
      big: 1e300,
      ascii31: 'a'.repeat(31),
      ascii32: 'b'.repeat(32),
      ascii63: 'c'.repeat(63),
      str300: 'd'.repeat(300),
      long,
      accents: 'café crème',
      emoji: '🔒 audit',
      mixed: 'ÿ'.repeat(40),
      bytes: new Uint8Array([0, 1, 2, 255]),
      bigBytes: new Uint8Array(300).fill(7),
      nested: { a: { b: { c: [1, { d: 'deep' }] } }, empty: {}, list: [] },
      nothing: null,
      arrayWithHoles: [1, undefined, 'x'],
    };
    const exporter = new MsgpackAuditExporter({ directory: dir });
    expect((await exportRecords(exporter, [record({ body: { text: 'héllo', count: 3 }, attributes })])).code).toBe(
      ExportResultCode.SUCCESS,
    );
    await exporter.shutdown();
    const [row] = readWithPython(join(dir, 'audit.log'));
    const data = row!.entry.data;
    for (let i = 0; i < 40; i++) expect(data[`k${i}`]).toBe(i);
    expect(data).toMatchObject({
      u8: 200,
      u16: 60_000,
      u32: 4_000_000_000,
      u64: 2 ** 40,
      neg5: -5,
      neg100: -100,
      neg40k: -40_000,
      neg3e9: -3_000_000_000,
      neg2p40: -(2 ** 40),
      zero: 0,
      f: -1.25,
      big: 1e300,
      ascii31: attributes.ascii31,
      ascii32: attributes.ascii32,
      ascii63: attributes.ascii63,
      str300: attributes.str300,
      accents: 'café crème',
      emoji: '🔒 audit',
      mixed: attributes.mixed,
      bytes: { $bin: '000102ff' },
      bigBytes: { $bin: '07'.repeat(300) },
      nested: { a: { b: { c: [1, { d: 'deep' }] } }, empty: {}, list: [] },
      nothing: null,
      arrayWithHoles: [1, null, 'x'],
      body: { text: 'héllo', count: 3 },
    });
    expect(data.long).toBe(long);
    expect(row!.types).toMatchObject({
      u64: 'int',
      neg2p40: 'int',
      f: 'float',
      big: 'float',
      zero: 'int',
      bytes: 'bytes',
    });
    expect(Object.keys(data)).toHaveLength(Object.keys(attributes).length + 2);
  });

  it('msgpack_audit – attributes named like the record fields do not duplicate keys in data', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    await exportRecords(exporter, [
      record({
        body: 'real body',
        attributes: { body: 'attr body', severity: 'attr severity', trace_id: 'kept when no span' },
      }),
    ]);
    await exporter.shutdown();
    const bytes = readFileSync(join(dir, 'audit.log'));
    expect(bytes.includes(Buffer.from('attr body'))).toBe(false);
    const [row] = readWithPython(join(dir, 'audit.log'));
    expect(row!.entry.data).toEqual({ body: 'real body', severity: 'INFO', trace_id: 'kept when no span' });
  });

  it('msgpack_audit – a batch that arrives while a write is in flight is written after it, in order', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    const pending = [];
    for (let b = 0; b < 20; b++) {
      pending.push(
        exportRecords(
          exporter,
          Array.from({ length: 50 }, (_, i) => record({ attributes: { seq: b * 50 + i } })),
        ),
      );
    }
    const results = await Promise.all(pending);
    expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
    await exporter.shutdown();
    const seqs = readWithPython(join(dir, 'audit.log')).map((r) => r.entry.data.seq);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('msgpack_audit – shutdown without start and a second shutdown both resolve; exports after shutdown fail', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, 'never') });
    await exporter.shutdown();
    await exporter.shutdown();
    const res = await exportRecords(exporter, [record()]);
    expect(res.code).toBe(ExportResultCode.FAILED);
    expect(res.error?.message).toMatch(/shut down/);
  });

  it('msgpack_audit – a directory that cannot be created fails start and export with the path in the message', async () => {
    const blocker = join(dir, 'not-a-dir');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(blocker, 'x');
    const exporter = new MsgpackAuditExporter({ directory: join(blocker, 'sub') });
    await expect(exporter.start()).rejects.toThrow(/not-a-dir/);
    const res = await exportRecords(exporter, [record()]);
    expect(res.code).toBe(ExportResultCode.FAILED);
    expect(res.error?.message).toContain(join(blocker, 'sub', 'audit.log'));
    await exporter.shutdown();
  });

  it('msgpack_audit – invalid programmatic options throw with every problem listed', () => {
    expect(() => new MsgpackAuditExporter({ directory: '', file_name: 'a/b', max_open_files: 0 })).toThrow(
      /directory: must not be empty.*file_name: must be a plain file name.*max_open_files/,
    );
  });
});
