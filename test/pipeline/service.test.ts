import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { loadConfigText } from '../../src/config/load.js';
import { Service } from '../../src/pipeline/service.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/factory.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { requestAuditRecords } from '../../bench/fixtures.js';
import { tempDir } from '../helpers/collector.js';

const dir = tempDir('auditline-service-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entries(file: string): Record<string, any>[] {
  return [...decodeMulti(readFileSync(file))] as Record<string, any>[];
}

describe('pipeline service', () => {
  it('fans one receiver out to two pipelines, each with its own processors and copy of the records', async () => {
    const lines: string[] = [];
    const cfg = loadConfigText(
      `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } }
processors:
  redaction: {}
  batch: { timeout: 10ms }
  attributes/tag: { actions: [{ key: pipeline, value: raw, action: insert }] }
exporters:
  msgpack_audit/redacted: { directory: "${dir}/redacted" }
  msgpack_audit/raw: { directory: "${dir}/raw" }
  msgpack_audit/both: { directory: "${dir}/both" }
service:
  pipelines:
    logs/redacted:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [msgpack_audit/redacted, msgpack_audit/both]
    logs/raw:
      receivers: [otlp]
      processors: [attributes/tag, batch]
      exporters: [msgpack_audit/raw, msgpack_audit/both]
`,
      defaultRegistry(),
      {},
    );
    const svc = new Service(cfg, { logger: createLogger('test', { write: (l) => lines.push(l) }) });
    await svc.start();
    const port = svc.component<OtlpReceiver>('otlp')!.http!.port!;
    const body = ProtobufLogsSerializer.serializeRequest(requestAuditRecords(0, 20))!;
    const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    await svc.shutdown();
    await svc.shutdown();

    const redacted = entries(join(dir, 'redacted', 'audit.log'));
    const raw = entries(join(dir, 'raw', 'audit.log'));
    expect(redacted).toHaveLength(20);
    expect(raw).toHaveLength(20);
    expect(entries(join(dir, 'both', 'audit.log'))).toHaveLength(40);
    // The raw pipeline saw the tag but not redaction; the redacted one saw neither the tag nor the email.
    expect(raw[0]!.data.pipeline).toBe('raw');
    expect(raw[0]!.data['user.email']).toBe('person0@example.com');
    expect(redacted[0]!.data.pipeline).toBeUndefined();
    expect(JSON.stringify(redacted)).not.toContain('person0@example.com');
    expect(lines.some((l) => l.includes('Auditline is running.'))).toBe(true);
  });
});
