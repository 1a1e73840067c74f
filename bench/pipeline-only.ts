// The collector's pipeline without HTTP: the same components (redaction →
// batch → msgpack_audit, with the exporter helper) fed requests decoded in the
// same process, one per macrotask as the receiver would. Set beside the
// core-collector figure it splits the cost between the pipeline and HTTP, and
// shows what one pipeline thread can do. Runs in a child Node started with
// bin/auditline's flags, so the heap is configured as the collector's is.
//
//   npm run build && node dist/bench/pipeline-only.js [records]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { Host } from '../src/component/types.js';
import type { Spec } from '../src/config/schema.js';
import { decodeLogsRequestProtobuf } from '../src/otlp/decode-protobuf.js';
import { RecordTap } from '../src/pipeline/tap.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { M, Telemetry } from '../src/telemetry/metrics.js';
import { batchProcessorFactory } from '../processors/batch/factory.js';
import { redactionProcessorFactory } from '../processors/redaction/factory.js';
import { msgpackAuditExporterFactory } from '../exporters/msgpack-audit/factory.js';
import { CLI, shebangFlags } from './collector-load.js';
import { requestAuditRecords } from './fixtures.js';

const PER_REQUEST = 512;

/** Runs in the child: builds the pipeline, feeds it, prints one line. */
async function measure(totalRecords: number): Promise<void> {
  const telemetry = new Telemetry();
  const settings = (id: string) => ({ id, logger: silentLogger, telemetry });
  const host: Host = {
    getExtension: () => undefined,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry,
  };
  const config = <C>(spec: Spec<C>, raw: unknown): C => spec.parse(raw, [], [])!;
  const dir = mkdtempSync(join(tmpdir(), 'auditline-pipeline-'));
  try {
    const exporter = msgpackAuditExporterFactory.create(
      settings('msgpack_audit'),
      config(msgpackAuditExporterFactory.config, { directory: `${dir}/logs/{collection}/` }),
    );
    await exporter.start(host);
    const batch = batchProcessorFactory.create(
      settings('batch'),
      config(batchProcessorFactory.config, { timeout: '200ms' }),
      exporter,
    );
    const redaction = redactionProcessorFactory.create(
      settings('redaction'),
      config(redactionProcessorFactory.config, {}),
      batch,
    );

    const requests = Math.ceil(totalRecords / PER_REQUEST);
    const bodies = Array.from({ length: requests }, (_, k) =>
      Buffer.from(ProtobufLogsSerializer.serializeRequest(requestAuditRecords(k * PER_REQUEST, PER_REQUEST))!),
    );
    const total = requests * PER_REQUEST;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const body of bodies) {
      await redaction.consume(decodeLogsRequestProtobuf(body).records);
      await new Promise((r) => setImmediate(r));
    }
    while ((telemetry.value(M.exporterSent, { exporter: 'msgpack_audit' }) ?? 0) < total)
      await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await exporter.shutdown();
    console.log(
      `pipeline only (no HTTP): decode → redaction → batch → msgpack_audit, one thread, node ${process.execArgv.join(' ')}`,
    );
    console.log(
      `  ${Math.round(total / seconds).toLocaleString('en')} records/s, ${((cpu.user + cpu.system) / total).toFixed(1)} µs CPU/record (${total.toLocaleString('en')} records)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(totalRecords = 600_000): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...shebangFlags(CLI), self, '--child', String(totalRecords)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`pipeline-only bench failed (exit ${r.status}).`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const child = process.argv[2] === '--child';
  const n = Number(process.argv[child ? 3 : 2] ?? 600_000);
  if (child) await measure(n);
  else await run(n);
}
