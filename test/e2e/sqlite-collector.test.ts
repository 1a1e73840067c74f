// The collector as a real process: OTLP in (the official proto exporter),
// redaction and batch, the sqlite exporter and the query API. Checks the
// routes, the live stream and `auditline logs` against it, then the seed's SQL
// through the sqlite3 CLI on the database the collector wrote.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { streamText } from '../helpers/sse.js';

const run = promisify(execFile);
const TOKEN = 'e2e-reader';

describe('collector process with the sqlite exporter and the query API', () => {
  let collector: RunningCollector | undefined;
  afterAll(async () => {
    await collector?.cleanup();
  });

  it('stores OTLP records, serves them over HTTP, SSE and `auditline logs`, and answers the seed SQL', async () => {
    const [otlpPort, apiPort] = [await freePort(), await freePort()];
    collector = await startCollector(`
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${otlpPort}" }
processors:
  redaction: {}
  batch: { timeout: 20ms }
exporters:
  sqlite:
    path: "{{dir}}/data/auditline.db"
extensions:
  query_api:
    endpoint: "127.0.0.1:${apiPort}"
    auth: { tokens: ["${TOKEN}"] }
service:
  extensions: [query_api]
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [sqlite]
`);
    const api = `http://127.0.0.1:${apiPort}`;
    const auth = { authorization: `Bearer ${TOKEN}` };

    // A live subscriber before anything is sent.
    const stream = await fetch(`${api}/api/logs/stream?session_id=abc123`, { headers: auth });
    expect(stream.status).toBe(200);
    const sse = streamText(stream);
    await sse.readUntil(': connected');

    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'interview-platform' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs` }),
          scheduledDelayMillis: 10,
        }),
      ],
    });
    const logger = provider.getLogger('app');
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      body: 'Session created successfully',
      attributes: {
        component: 'session_manager',
        operation: 'create_session',
        'session.id': 'abc123',
        'user.email': 'ann@example.com',
        prompt: 'SECRET PROMPT TEXT',
      },
    });
    for (const [component, n] of [
      ['session_manager', 3],
      ['ai_provider', 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        logger.emit({
          severityNumber: SeverityNumber.ERROR,
          body: `${component} failed ${i}`,
          attributes: { component, operation: 'op', 'session.id': i === 0 ? 'abc123' : 'other' },
        });
      }
    }
    for (let i = 1; i <= 5; i++)
      logger.emit({
        body: `Track ${i}/5 downloaded`,
        attributes: { 'job.id': 'job-1', 'job.progress.current': i, 'job.progress.total': 5 },
      });
    await provider.forceFlush();
    await provider.shutdown();

    // Live: after redaction (email masked, prompt gone), only the session asked for.
    await sse.readUntil('session_manager failed 0');
    await sse.cancel();
    expect(sse.text()).toContain('Session created successfully');
    expect(sse.text()).not.toContain('ann@example.com');
    expect(sse.text()).not.toContain('SECRET PROMPT TEXT');
    expect(sse.text()).not.toContain('ai_provider failed 1');

    // The routes, once the batch has been written.
    const get = async (p: string) => (await fetch(api + p, { headers: auth })).json() as Promise<Record<string, any>>;
    let session: Record<string, any> = {};
    for (let i = 0; i < 100 && (session.logs?.length ?? 0) < 3; i++) {
      session = await get('/api/logs/audit?session_id=abc123');
      if (session.logs.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    expect(session.logs.map((r: any) => r.message)).toEqual([
      'ai_provider failed 0',
      'session_manager failed 0',
      'Session created successfully',
    ]);
    expect(session.logs[2]).toMatchObject({
      level: 'INFO',
      component: 'session_manager',
      operation: 'create_session',
      service: 'interview-platform',
    });
    expect(JSON.stringify(session)).not.toContain('SECRET PROMPT TEXT');
    let job: Record<string, any> = {};
    for (let i = 0; i < 100 && (job.logs?.length ?? 0) < 5; i++) {
      job = await get('/api/logs/jobs/job-1');
      if ((job.logs?.length ?? 0) < 5) await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.logs.map((r: any) => r.progress_current)).toEqual([1, 2, 3, 4, 5]);
    expect((await fetch(`${api}/api/logs/audit`)).status).toBe(401);

    // The command line, as a separate process.
    const env = { ...process.env, AUDITLINE_URL: api, AUDITLINE_TOKEN: TOKEN, NO_COLOR: '1' };
    const jobOut = await run(process.execPath, [CLI, 'logs', 'job', 'job-1'], { env });
    expect(
      jobOut.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ \S+ /, '')),
    ).toEqual(
      [1, 2, 3, 4, 5].map(
        (i) => `[INFO] app: Track ${i}/5 downloaded (job_id=job-1, progress_current=${i}, progress_total=5)`,
      ),
    );
    const auditOut = await run(
      process.execPath,
      [CLI, 'logs', 'audit', '--level', 'ERROR', '--component', 'ai_provider'],
      { env },
    );
    expect(auditOut.stdout.trim().split('\n')).toHaveLength(2);

    // The seed's SQL on the file the collector wrote (after a clean stop).
    expect(await collector.stop('SIGTERM')).toBe(0);
    const db = join(collector.dir, 'data', 'auditline.db');
    const sql = (q: string) => execFileSync('sqlite3', [db], { input: q, encoding: 'utf8' }).trim().split('\n');
    expect(
      sql("-- Recent errors\nSELECT * FROM audit_logs \nWHERE level = 'ERROR' \nORDER BY timestamp DESC \nLIMIT 10;"),
    ).toHaveLength(5);
    expect(
      sql("-- Session activity\nSELECT * FROM audit_logs \nWHERE session_id = 'abc123' \nORDER BY timestamp;").map(
        (l) => l.split('|')[5],
      ),
    ).toEqual(['Session created successfully', 'session_manager failed 0', 'ai_provider failed 0']);
    expect(
      sql(
        "-- Component errors\nSELECT component, COUNT(*) as error_count\nFROM audit_logs \nWHERE level = 'ERROR' \nGROUP BY component;",
      ),
    ).toEqual(['ai_provider|2', 'session_manager|3']);
    expect(
      execFileSync(
        'sqlite3',
        [db, "SELECT count(*) FROM audit_logs WHERE metadata LIKE '%SECRET%' OR message LIKE '%SECRET%';"],
        { encoding: 'utf8' },
      ).trim(),
    ).toBe('0');
  }, 90_000);
});
