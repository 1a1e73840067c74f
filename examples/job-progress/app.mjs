// A job runner that records its progress in SQLite, in-process: the
// pluggable-handlers seed's DatabaseJobLogHandler ("Track 5/100 downloaded"
// into `job_logs`), built from the OpenTelemetry SDK and Auditline.
//
//   node app.mjs            run one job, print its id
//   node app.mjs --serve    run one job, then serve the query API on :8082 (beside a collector's :8080)
//                           for `auditline logs job <id>` (Ctrl-C to stop)
import { randomBytes } from 'node:crypto';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { AuditlineBatchProcessor, QueryApiServer, SqliteExporter, createRedactionProcessor } from 'auditline';

const DB = process.env.JOB_DB ?? './data/jobs.db';
const TRACKS = Number(process.env.TRACKS ?? 100);
const serve = process.argv.includes('--serve');

const exporter = new SqliteExporter({ path: DB, retention_days: { job_logs: 14 } });
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'downloader' }),
  processors: [
    // Redaction first: records are read-only once the batch processor has them.
    createRedactionProcessor(),
    // Not the SDK's BatchLogRecordProcessor: it would drop a burst beyond 2,048 records.
    new AuditlineBatchProcessor({ exporter, scheduledDelayMillis: 200 }),
  ],
});
const logger = provider.getLogger('job-runner');

const jobId = `sync-${randomBytes(3).toString('hex')}`;
const job = { 'job.id': jobId, component: 'downloader', 'user.id': 'u-42' };

logger.emit({
  eventName: 'job.started',
  severityNumber: SeverityNumber.INFO,
  body: `Sync of playlist "Road trip" started (${TRACKS} tracks)`,
  attributes: { ...job, 'job.progress.current': 0, 'job.progress.total': TRACKS, 'user.email': 'dana@example.com' }, // the email is masked
});
for (let i = 1; i <= TRACKS; i++) {
  await new Promise((r) => setTimeout(r, 5)); // "downloading"
  if (i % 37 === 0) {
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      body: `Track ${i}/${TRACKS} retried after a timeout`,
      attributes: { ...job, 'job.progress.current': i, 'job.progress.total': TRACKS, 'error.type': 'TimeoutError' },
    });
  }
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    body: `Track ${i}/${TRACKS} downloaded`,
    attributes: {
      ...job,
      'job.progress.current': i,
      'job.progress.total': TRACKS,
      'track.bytes': 3_000_000 + i * 1024,
    },
  });
}
logger.emit({
  eventName: 'job.finished',
  severityNumber: SeverityNumber.INFO,
  body: `Sync finished: ${TRACKS}/${TRACKS} tracks`,
  attributes: { ...job, status: 'success', 'job.progress.current': TRACKS, 'job.progress.total': TRACKS },
});
await provider.forceFlush();
console.log(`Job ${jobId}: ${TRACKS + 2 + Math.floor(TRACKS / 37)} entries written to ${DB}.`);

if (!serve) {
  await provider.shutdown();
  console.log(
    `Read them back: serve the database (node app.mjs --serve, or a collector with this sqlite path) and run\n  auditline logs job ${jobId}`,
  );
} else {
  // No AUDITLINE_TOKEN: the API generates a token for this run (and stays on loopback).
  const api = QueryApiServer.fromOptions({
    endpoint: process.env.QUERY_API ?? 'localhost:8082',
    auth: { tokens: [process.env.AUDITLINE_TOKEN ?? ''] },
  });
  await api.start();
  const token = process.env.AUDITLINE_TOKEN || api.generatedToken;
  exporter.serveQueries(api);
  console.log(
    `Query API on ${api.url}. In another terminal:\n  AUDITLINE_URL=${api.url} AUDITLINE_TOKEN=${token} auditline logs job ${jobId}\nCtrl-C to stop.`,
  );
  process.once('SIGINT', async () => {
    await api.shutdown();
    await provider.shutdown();
    process.exit(0);
  });
}
