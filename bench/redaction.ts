// Per-record cost of the redaction engine alone (no SDK, no export), with
// the default privacy profile. Records are built before timing (redaction
// edits attributes in place) in batches of 512, as a receiver decodes them,
// with flat strings as a decoder produces them. CPU time, not wall time, so
// other processes on a busy machine do not count against the figure.
// Run: npm run build && node --expose-gc dist/bench/redaction.js
import { pathToFileURL } from 'node:url';
import type { AnyValue } from '@opentelemetry/api-logs';
import { redactionConfigSpec, type RedactionOptions } from '../processors/redaction/config.js';
import { Redactor } from '../processors/redaction/redactor.js';
import { requestAudit } from './fixtures.js';

type Attrs = Record<string, AnyValue>;
interface Rec {
  attributes: Attrs;
  body: AnyValue;
}

/** A decoded string: flat and not shared with the fixture's literals. */
const flat = (s: string): string => Buffer.from(s).toString('utf8');

/** A typical 10-attribute request-audit record; `secrets` of them hold something to redact. */
function typical(i: number, secrets: 0 | 1 | 2): Rec {
  const attributes: Attrs = {
    'event.name': flat('request'),
    'session.id': flat(`sess-${i % 1000}`),
    'request.id': flat(`3f2b8c1e-9a4d-4e6b-8f00-${String(100000000000 + i)}`),
    endpoint: flat('/v1/chat/completions'),
    model: flat('llama-3-8b'),
    duration_ms: 120 + (i % 50),
    prompt_tokens: 100 + (i % 400),
    completion_tokens: 20 + (i % 200),
  };
  attributes[secrets >= 1 ? 'user.email' : 'backend_type'] = flat(secrets >= 1 ? `person${i}@example.com` : 'mlx');
  attributes[secrets >= 2 ? 'http.request.header.authorization' : 'status'] = flat(
    secrets >= 2 ? 'Bearer q8Zr4TnV2mXw9LpK7sYd' : 'success',
  );
  return { attributes, body: flat('Request completed') };
}

function fromFixture(i: number): Rec {
  const a = requestAudit(i);
  const attributes: Attrs = {};
  for (const [k, v] of Object.entries(a.attributes)) attributes[k] = typeof v === 'string' ? flat(v) : (v as AnyValue);
  return { attributes, body: flat(a.body) };
}

const BATCH = 512;
const BATCHES = 400;

function measure(name: string, make: (i: number) => Rec, options: RedactionOptions = {}): void {
  const redactor = new Redactor(redactionConfigSpec.parse(options, [], [])!);
  let cpuNs = 0;
  let changes = 0;
  let n = 0;
  for (let b = 0; b < BATCHES + 40; b++) {
    const recs: Rec[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) recs[i] = make(b * BATCH + i);
    const t0 = process.cpuUsage();
    for (let i = 0; i < BATCH; i++) {
      const r = recs[i]!;
      const body = redactor.redactLog(r.attributes, r.body);
      if (body !== r.body) r.body = body as AnyValue;
      changes += redactor.changes;
    }
    const used = process.cpuUsage(t0);
    if (b >= 40) {
      cpuNs += (used.user + used.system) * 1000;
      n += BATCH;
    } // the first batches warm up the JIT
  }
  console.log(
    `${name.padEnd(58)} ${(cpuNs / n).toFixed(0).padStart(6)} ns/record  (${(changes / ((BATCHES + 40) * BATCH)).toFixed(2)} changes/record)`,
  );
}

export async function run(): Promise<void> {
  // Machine speed reference for reading the figures (about 0.3 ns on an idle modern core).
  const t0 = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x += i & 7;
  const u = process.cpuUsage(t0);
  console.log(`redaction engine, default privacy profile, node ${process.version}, CPU time per record`);
  console.log(
    `reference: ${(((u.user + u.system) * 1000) / 1e8).toFixed(2)} ns per trivial loop iteration (${x > 0 ? 'ok' : ''})`,
  );
  measure('10 attributes, no secret', (i) => typical(i, 0));
  measure('10 attributes, 1 secret (email)', (i) => typical(i, 1));
  measure('10 attributes, 2 secrets (email, authorization header)', (i) => typical(i, 2));
  measure('bench fixture: 14 attributes + body, 40% with a secret', fromFixture);
  measure('10 attributes, 2 secrets, hmac_sha256', (i) => typical(i, 2), {
    hash_function: 'hmac_sha256',
    hash_key: 'x'.repeat(32),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
