// Redaction quality on the labelled corpus (issue #12 item 4): plants each case
// of test/processors/redaction/corpus/ in its own log record, runs the record
// through the real redaction processor (the collector pipeline component, made
// by its factory from a parsed config), and prints recall and precision per
// category and per place, then every miss and over-redaction.
//
// - A secret is missed when any run of it survives anywhere in the record:
//   a window of min(len, max(6, min(16, ceil(len/2)))) characters that is in
//   the output but not in the input around the secret. So masking half a
//   password, or leaving the body of a PEM key, is a miss.
// - An over-redaction is a look-alike that does not come out exactly as it
//   went in under the same key, or a secret case that lost a `keep` fragment
//   (a URL's host, a header's name) or its key (unless it is content, which
//   may be dropped).
// - recall = secrets caught / secrets planted;
//   precision = caught / (caught + over-redactions).
//
// Run: npm run bench -- quality, or npm run build && node dist/bench/redaction-quality.js [--brief]
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { AnyValue } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { formatIssue, type ConfigIssue } from '../src/config/schema.js';
import { LogRecordData } from '../src/model/log-record.js';
import type { LogScope } from '../src/otlp/types.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { Telemetry } from '../src/telemetry/metrics.js';
import { redactionConfigSpec } from '../processors/redaction/config.js';
import { redactionProcessorFactory } from '../processors/redaction/factory.js';
import { LOOK_ALIKE_SPECIMENS } from '../test/processors/redaction/corpus/lookalikes.js';
import {
  CATEGORIES,
  PLACES,
  expand,
  type Case,
  type Category,
  type Place,
} from '../test/processors/redaction/corpus/model.js';
import { PII_LOOK_ALIKE_SPECIMENS, PII_SECRET_SPECIMENS } from '../test/processors/redaction/corpus/pii.js';
import { SECRET_SPECIMENS } from '../test/processors/redaction/corpus/secrets.js';

/** The default-profile corpus, one case per specimen and place. */
export function defaultCorpus(): Case[] {
  return expand('default', SECRET_SPECIMENS, LOOK_ALIKE_SPECIMENS);
}
/** The opt-in pii-profile corpus. */
export function piiCorpus(): Case[] {
  return expand('pii', PII_SECRET_SPECIMENS, PII_LOOK_ALIKE_SPECIMENS);
}

/** Redaction config shapes that would turn the pii profile on; the first one the config accepts is used. */
export const PII_PROFILE_CANDIDATES: readonly Record<string, unknown>[] = [
  { profiles: ['secrets', 'pii'] },
  { privacy: { profiles: ['secrets', 'pii'] } },
];

/** Issues the redaction config reports for `options` (empty when accepted). */
export function configProblems(options: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  redactionConfigSpec.parse(options, ['processors', 'redaction'], issues);
  return issues.map(formatIssue);
}

/** Options that enable `profiles: [secrets, pii]`, or undefined while the config refuses them. */
export function piiProfileOptions(): Record<string, unknown> | undefined {
  return PII_PROFILE_CANDIDATES.find((o) => configProblems(o).length === 0);
}

export interface CaseResult {
  case: Case;
  /** A surviving run of a secret (secret cases only). */
  leaked?: string;
  /** What should have survived and did not. */
  lost: string[];
  /** The processor refused the record (the batch would have been dropped). */
  error?: string;
  /** The value at the case's place after redaction, for reports. */
  after: string;
}

export interface Row {
  name: string;
  secrets: number;
  caught: number;
  lookAlikes: number;
  overRedacted: number;
}

export interface QualityReport {
  title: string;
  results: CaseResult[];
  byCategory: Row[];
  byPlace: Row[];
  total: Row;
  misses: CaseResult[];
  overRedactions: CaseResult[];
}

type Attrs = Record<string, unknown>;
const NESTED_KEY = 'app.context';
const INDEX_KEY = 'app.index';

function clone(v: unknown): unknown {
  return structuredClone(v);
}
const utf8 = new TextEncoder();

/** One record holding only this case, at its place. */
function plant(c: Case): LogRecordData {
  const resourceAttrs: Attrs = { 'service.name': 'corpus' };
  const scope: LogScope = { name: 'corpus', version: '1.0.0', attributes: {} };
  const attributes: Attrs = {};
  let body: unknown;
  let eventName: string | undefined;
  const v = clone(c.value);
  switch (c.place) {
    case 'resource':
      resourceAttrs[c.key] = v;
      break;
    case 'scope':
      scope.attributes![c.key] = v as AnyValue;
      break;
    case 'attribute':
      attributes[c.key] = v;
      break;
    case 'bytes':
      attributes[c.key] = utf8.encode(String(c.value));
      break;
    case 'nested':
      attributes[NESTED_KEY] = { stages: ['init', { detail: { [c.key]: v } }] };
      break;
    case 'body':
      body = v;
      break;
    case 'body.map':
      body = { level: 'info', [c.key]: v };
      break;
    case 'map.key':
      attributes[INDEX_KEY] = { [String(c.value)]: 1 };
      break;
    case 'event.name':
      eventName = String(c.value);
      break;
  }
  const r = new LogRecordData(resourceFromAttributes(resourceAttrs as never), scope);
  r.attributes = attributes as LogRecordData['attributes'];
  r.body = body as AnyValue;
  r.eventName = eventName;
  return r;
}

/** The container and value at the case's place after redaction. */
function locate(r: ReadableLogRecord, c: Case): { present: boolean; value: unknown } {
  const has = (o: unknown, k: string) =>
    o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k);
  const get = (o: unknown, k: string | number): unknown =>
    o !== null && typeof o === 'object' ? (o as Attrs)[k] : undefined;
  let container: unknown;
  switch (c.place) {
    case 'resource':
      container = r.resource.attributes;
      break;
    case 'scope':
      container = (r.instrumentationScope as LogScope).attributes;
      break;
    case 'attribute':
    case 'bytes':
      container = r.attributes;
      break;
    case 'nested':
      container = get(get(get(get(r.attributes, NESTED_KEY), 'stages'), 1), 'detail');
      break;
    case 'body':
      return { present: r.body !== undefined, value: r.body };
    case 'body.map':
      container = r.body;
      break;
    case 'event.name':
      return { present: r.eventName !== undefined, value: r.eventName };
    case 'map.key': {
      const index = get(r.attributes, INDEX_KEY);
      return { present: has(index, String(c.value)), value: index };
    }
  }
  return { present: has(container, c.key), value: get(container, c.key) };
}

/** Every string in a value, keys included, bytes decoded. */
function strings(v: unknown, out: string[], depth = 0): string[] {
  if (depth > 64) return out;
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out.push(String(v));
  else if (v instanceof Uint8Array) out.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8'));
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out, depth + 1);
    }
  return out;
}

/** All text a record holds, joined by NULs. */
function recordText(r: ReadableLogRecord): string {
  const out: string[] = [];
  strings(r.resource.attributes, out);
  const s = r.instrumentationScope as LogScope;
  out.push(s.name, s.version ?? '');
  strings(s.attributes ?? {}, out);
  if (r.eventName !== undefined) out.push(r.eventName);
  if (r.severityText !== undefined) out.push(r.severityText);
  strings(r.attributes, out);
  strings(r.body, out);
  return out.join('\u0000');
}

/** The shortest run of a secret that counts as a leak. */
export function leakWindow(len: number): number {
  return Math.min(len, Math.max(6, Math.min(16, Math.ceil(len / 2))));
}

/** A run of a secret present in `after` and not already in the input around the secrets, if any. */
function leakedRun(secrets: string[], before: string, after: string): string | undefined {
  let context = before;
  for (const s of secrets) context = context.split(s).join('\u0000');
  for (const s of secrets) {
    const w = leakWindow(s.length);
    for (let i = 0; i + w <= s.length; i++) {
      const run = s.slice(i, i + w);
      if (after.includes(run) && !context.includes(run)) return run;
    }
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return isDeepStrictEqual(a, b);
}

/** Printable, one line, at most `max` characters. */
export function show(v: unknown, max = 110): string {
  let s: string;
  if (v === undefined) s = '(absent)';
  else if (v instanceof Uint8Array) s = `bytes ${JSON.stringify(Buffer.from(v).toString('utf8'))}`;
  else
    s =
      typeof v === 'string'
        ? JSON.stringify(v)
        : (JSON.stringify(v, (_k, x: unknown) =>
            x instanceof Uint8Array ? `bytes:${Buffer.from(x).toString('utf8')}` : x,
          ) ?? String(v));
  s = s.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function judge(
  c: Case,
  before: LogRecordData,
  after: LogRecordData | undefined,
  error: string | undefined,
): CaseResult {
  if (after === undefined) {
    return { case: c, lost: [`record dropped: ${error}`], error, after: '(record dropped)' };
  }
  const at = locate(after, c);
  const res: CaseResult = { case: c, lost: [], after: show(at.value) };
  if (c.lookAlike) {
    const expected = c.place === 'bytes' ? utf8.encode(String(c.value)) : c.value;
    if (c.place === 'map.key') {
      if (!at.present || (at.value as Attrs)[String(c.value)] !== 1) res.lost.push('map key changed');
    } else if (!at.present)
      res.lost.push(c.place === 'event.name' || c.place === 'body' ? 'removed' : `key "${c.key}" removed`);
    else if (!sameValue(at.value, expected)) res.lost.push('value changed');
    return res;
  }
  res.leaked = leakedRun(c.secrets, recordText(before), recordText(after));
  const keyed = c.place !== 'body' && c.place !== 'event.name' && c.place !== 'map.key';
  if (keyed && !c.mayDrop && !at.present) res.lost.push(`key "${c.key}" removed`);
  if (at.present || !c.mayDrop) {
    const text = strings(at.value, []).join('\u0000');
    for (const k of c.keep) if (!text.includes(k)) res.lost.push(`lost ${show(k, 60)}`);
  }
  return res;
}

class Sink {
  records: ReadableLogRecord[] = [];
  consume(records: ReadableLogRecord[]): Promise<void> {
    this.records.push(...records);
    return Promise.resolve();
  }
}

function emptyRow(name: string): Row {
  return { name, secrets: 0, caught: 0, lookAlikes: 0, overRedacted: 0 };
}

function tally(row: Row, r: CaseResult): void {
  if (r.case.lookAlike) row.lookAlikes++;
  else {
    row.secrets++;
    if (r.leaked === undefined) row.caught++;
  }
  if (r.lost.length > 0) row.overRedacted++;
}

/** Runs every case through a redaction processor built from `options` (YAML shape) and scores it. */
export async function scoreCases(
  cases: readonly Case[],
  options: Record<string, unknown>,
  title: string,
): Promise<QualityReport> {
  const issues: ConfigIssue[] = [];
  const config = redactionConfigSpec.parse(options, ['processors', 'redaction'], issues);
  if (config === undefined) throw new Error(`The redaction config was refused: ${issues.map(formatIssue).join('; ')}`);
  const sink = new Sink();
  const processor = redactionProcessorFactory.create(
    { id: 'redaction', logger: silentLogger, telemetry: new Telemetry() },
    config,
    sink,
  );
  const results: CaseResult[] = [];
  for (const c of cases) {
    const record = plant(c);
    const before = plant(c);
    sink.records = [];
    let error: string | undefined;
    try {
      await processor.consume([record]);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    results.push(judge(c, before, error === undefined ? sink.records[0] : undefined, error));
  }
  await processor.shutdown();
  const byCategory = new Map<string, Row>();
  const byPlace = new Map<Place, Row>(PLACES.map((p) => [p, emptyRow(p)]));
  const total = emptyRow('all');
  for (const r of results) {
    const cat = r.case.category;
    if (!byCategory.has(cat)) byCategory.set(cat, emptyRow(cat));
    tally(byCategory.get(cat)!, r);
    tally(byPlace.get(r.case.place)!, r);
    tally(total, r);
  }
  const order = Object.keys(CATEGORIES);
  return {
    title,
    results,
    byCategory: [...byCategory.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)),
    byPlace: [...byPlace.values()].filter((r) => r.secrets + r.lookAlikes > 0),
    total,
    misses: results.filter((r) => !r.case.lookAlike && r.leaked !== undefined),
    overRedactions: results.filter((r) => r.lost.length > 0),
  };
}

const pct = (n: number, d: number) => (d === 0 ? '     -' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);
export const recall = (r: Row) => (r.secrets === 0 ? 1 : r.caught / r.secrets);
export const precision = (r: Row) => (r.caught + r.overRedacted === 0 ? 1 : r.caught / (r.caught + r.overRedacted));

function table(rows: Row[], total: Row, head: string): string[] {
  const line = (r: Row, name: string) =>
    `${name.padEnd(16)} ${String(r.secrets).padStart(7)} ${String(r.caught).padStart(6)} ${pct(r.caught, r.secrets)} ${String(r.lookAlikes).padStart(11)} ${String(r.overRedacted).padStart(13)} ${pct(r.caught, r.caught + r.overRedacted)}`;
  return [
    `${head.padEnd(16)} secrets caught recall  look-alikes over-redacted precision`,
    ...rows.map((r) => {
      const promised = (CATEGORIES as Record<string, { promised: boolean }>)[r.name]?.promised;
      return line(r, r.name) + (promised ? '  (promised before #12)' : '');
    }),
    line(total, 'all'),
  ];
}

/** The report as printed: tables, failing categories, then (unless brief) every miss and over-redaction. */
export function formatReport(rep: QualityReport, brief = false): string {
  const out: string[] = [];
  out.push(`${rep.title}: ${rep.total.secrets} planted secrets, ${rep.total.lookAlikes} look-alikes`);
  out.push('', ...table(rep.byCategory, rep.total, 'category'), '', ...table(rep.byPlace, rep.total, 'place'), '');
  const failing = rep.byCategory.filter((r) => r.caught < r.secrets || r.overRedacted > 0);
  out.push(
    failing.length === 0
      ? 'Every category: recall 100%, no over-redaction.'
      : `Failing categories (${failing.length}): ${failing.map((r) => r.name).join(', ')}`,
  );
  if (!brief) {
    out.push('', `Misses (${rep.misses.length}): a secret survived`);
    for (const r of rep.misses)
      out.push(`  ${r.case.id}  [${r.case.kind}]${keyNote(r.case)}  leaked ${show(r.leaked, 40)}  → ${r.after}`);
    out.push('', `Over-redactions (${rep.overRedactions.length}): something that must survive did not`);
    for (const r of rep.overRedactions)
      out.push(`  ${r.case.id}  [${r.case.kind}]${keyNote(r.case)}  ${r.lost.join('; ')}  → ${r.after}`);
  }
  return out.join('\n');
}

function keyNote(c: Case): string {
  return c.place === 'body' || c.place === 'event.name' || c.place === 'map.key' ? '' : ` key=${c.key}`;
}

/** Categories in a report that do not yet reach recall 100% and zero over-redactions. */
export function failingCategories(rep: QualityReport): Category[] {
  return rep.byCategory.filter((r) => r.caught < r.secrets || r.overRedacted > 0).map((r) => r.name as Category);
}

export async function run(brief = false): Promise<void> {
  const rep = await scoreCases(defaultCorpus(), {}, 'redaction quality, default profile (redaction: {})');
  console.log(formatReport(rep, brief));
  const pii = piiProfileOptions();
  if (pii === undefined) {
    console.log(
      `\npii profile: not scored — the redaction config does not accept profiles: [secrets, pii] yet (${configProblems(PII_PROFILE_CANDIDATES[0]!)[0] ?? 'refused'}).`,
    );
  } else {
    console.log('');
    console.log(
      formatReport(
        await scoreCases(piiCorpus(), pii, `redaction quality, pii profile (${JSON.stringify(pii)})`),
        brief,
      ),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await run(process.argv.includes('--brief'));
