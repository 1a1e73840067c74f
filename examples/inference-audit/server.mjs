// An inference HTTP service with the privacy-first request audit of the
// sqlite-request-audit seed: every request is wrapped in trackRequest, which
// emits one audit record (model, endpoint, duration, status, token counts,
// error type) and never looks at the prompt or the response. Records go
// through Auditline's redaction processor and AuditlineBatchProcessor (which,
// unlike the SDK's, never drops a burst silently) into SQLite; the service also serves the query API for `auditline logs audit`.
//
//   node server.mjs           serve :3000 (inference) and :8081 (query API, beside a collector's :8080)
//   node server.mjs --demo    send a few requests to itself, print the audit rows, exit
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AuditlineBatchProcessor,
  QueryApiServer,
  SqliteExporter,
  createRedactionProcessor,
  trackRequest,
} from 'auditline';

const DB = process.env.AUDIT_DB ?? './data/inference.db';
const PORT = Number(process.env.PORT ?? 3000);
const demo = process.argv.includes('--demo');
const MODELS = new Set(['llama-3-8b', 'mistral-7b']);

const exporter = new SqliteExporter({ path: DB });
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'inference-api' }),
  processors: [createRedactionProcessor(), new AuditlineBatchProcessor({ exporter, scheduledDelayMillis: 100 })],
});
const logger = provider.getLogger('inference-api');

class HttpFailure extends Error {
  constructor(status, name, message) {
    super(message);
    this.status = status;
    this.name = name;
  }
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    return JSON.parse(body || '{}');
  } catch {
    throw new HttpFailure(400, 'InvalidRequest', 'Body is not JSON.');
  }
}

/** A stand-in for a model: counts "tokens" as words. */
function complete(model, messages) {
  if (!MODELS.has(model)) throw new HttpFailure(404, 'ModelNotLoaded', `Model "${model}" is not loaded.`);
  const prompt = messages.map((m) => m.content).join('\n');
  const reply = `You said ${prompt.split(/\s+/).length} words to ${model}.`;
  return { reply, inputTokens: prompt.split(/\s+/).length, outputTokens: reply.split(/\s+/).length };
}

const server = createServer(async (req, res) => {
  const endpoint = req.url?.split('?')[0] ?? '/';
  if (req.method !== 'POST' || endpoint !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const audit = {
    'event.name': 'inference',
    component: 'inference_api',
    endpoint,
    'http.request.method': 'POST',
    'user.id': String(req.headers['x-user-id'] ?? 'anonymous'),
    'session.id': String(req.headers['x-session-id'] ?? ''),
  };
  try {
    const answer = await trackRequest(logger, audit, async (ctx) => {
      const body = await readJson(req);
      ctx.set('gen_ai.request.model', String(body.model));
      try {
        const out = complete(String(body.model), body.messages ?? []);
        ctx.set('gen_ai.usage.input_tokens', out.inputTokens);
        ctx.set('gen_ai.usage.output_tokens', out.outputTokens);
        ctx.set('http.response.status_code', 200);
        return out.reply;
      } catch (err) {
        ctx.set('http.response.status_code', err.status ?? 500);
        throw err;
      }
    });
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer } }] }));
  } catch (err) {
    res
      .writeHead(err.status ?? 500, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: err.message }));
  }
});

// No AUDITLINE_TOKEN: the API generates a token for this run (and stays on loopback).
const api = QueryApiServer.fromOptions({
  endpoint: process.env.QUERY_API ?? 'localhost:8081',
  auth: { tokens: [process.env.AUDITLINE_TOKEN ?? ''] },
});
await api.start();
const TOKEN = process.env.AUDITLINE_TOKEN || api.generatedToken;
exporter.serveQueries(api);
await new Promise((r) => server.listen(demo ? 0 : PORT, 'localhost', r));
const base = `http://localhost:${server.address().port}`;

if (!demo) {
  console.log(
    `Inference on ${base}/v1/chat/completions; audit rows via ${api.url} (export AUDITLINE_TOKEN=${TOKEN}). Ctrl-C to stop.`,
  );
  process.once('SIGINT', async () => {
    server.close();
    await api.shutdown();
    await provider.shutdown();
    process.exit(0);
  });
} else {
  const SECRET = 'my diagnosis is strictly confidential';
  const ask = (model, user) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-session-id': 'demo-session' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `Hello, ${SECRET}. Summarise it.` }] }),
    }).then((r) => r.status);
  console.log(
    'statuses:',
    await ask('llama-3-8b', 'u-1'),
    await ask('mistral-7b', 'u-2'),
    await ask('gpt-9000', 'u-1'),
  );
  await provider.forceFlush();
  const page = await fetch(`${api.url}/api/logs/audit?event=inference&limit=10`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  }).then((r) => r.json());
  for (const row of page.logs.reverse()) {
    const {
      timestamp,
      level,
      model,
      endpoint,
      duration_ms,
      status,
      status_code,
      prompt_tokens,
      completion_tokens,
      error_type,
      error_message,
    } = row;
    console.log(
      JSON.stringify({
        timestamp,
        level,
        model,
        endpoint,
        duration_ms,
        status,
        status_code,
        prompt_tokens,
        completion_tokens,
        error_type,
        error_message,
      }),
    );
  }
  server.close();
  await api.shutdown();
  await provider.shutdown();
  const dir = dirname(DB);
  const leaked = readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(SECRET));
  console.log(`prompt text anywhere in ${dir}: ${leaked ? 'YES (bug!)' : 'no'}`);
}
