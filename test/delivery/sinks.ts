// Readers of what each sink stored, by record id, and the conservation check:
// per sink, every acknowledged id is stored, none is stored twice, and
// nothing is stored that was refused or never acknowledged (ids whose
// outcome the sender could not know are allowed, once).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { ID_RE, type Ledger } from './workload.js';

export interface SinkRead {
  sink: string;
  /** Every stored id, as often as it is stored. */
  ids: string[];
  /** Problems reading the sink itself (unreadable file, torn line…). */
  errors: string[];
}

const idOf = (explicit: unknown, message: unknown): string => {
  if (typeof explicit === 'string' && explicit) return explicit;
  return typeof message === 'string' ? (ID_RE.exec(message)?.[0] ?? '') : '';
};

/**
 * Every audit file under `dir` (`audit.log`, and the copies a test moved away: `audit.log.1`,
 * `audit.log.deleted`), read by Python's msgpack (the seed's reader). Exporter state files are not read.
 */
export function readMsgpack(
  dir: string,
): Promise<SinkRead & { files: { path: string; size: number; entries: number; error: string | null }[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/python3',
      [join(import.meta.dirname, 'read-audit.py'), dir],
      { maxBuffer: 512 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`read-audit.py failed: ${stderr || err.message}`));
          return;
        }
        const r = JSON.parse(stdout) as {
          files: { path: string; size: number; consumed: number; entries: number; error: string | null }[];
          ids: string[];
        };
        resolve({
          sink: 'msgpack_audit',
          ids: r.ids,
          files: r.files,
          errors: r.files.filter((f) => f.error).map((f) => `${f.path}: ${f.error}`),
        });
      },
    );
  });
}

/** audit_logs and job_logs; the id is `test.id` in the metadata JSON (else in the message). */
export function readSqlite(path: string): SinkRead {
  if (!existsSync(path)) return { sink: 'sqlite', ids: [], errors: [`${path} does not exist`] };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const ids: string[] = [];
    for (const table of ['audit_logs', 'job_logs']) {
      const rows = db.prepare(`SELECT json_extract(metadata, '$."test.id"') AS id, message FROM ${table}`).all() as {
        id: string | null;
        message: string | null;
      }[];
      for (const r of rows) ids.push(idOf(r.id, r.message));
    }
    return { sink: 'sqlite', ids, errors: [] };
  } finally {
    db.close();
  }
}

/**
 * Redis, two views. `redis.stream`: one entry per record in stream:requests and stream:logs (a record
 * applied twice shows twice). `redis.hash`: the `req:` and `log:` hashes by their message (a hash
 * overwritten by another record loses its id).
 */
export async function readRedis(port: number): Promise<SinkRead[]> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 2 });
  await r.connect();
  try {
    const stream: string[] = [];
    const errors: string[] = [];
    for (const key of ['stream:requests', 'stream:logs']) {
      let start = '-';
      for (;;) {
        const page = await r.xrange(key, start, '+', 'COUNT', 5000);
        for (const [, fields] of page) {
          const i = fields.indexOf('data');
          try {
            const e = JSON.parse(fields[i + 1] ?? '') as { message?: string };
            stream.push(idOf(undefined, e.message));
          } catch {
            errors.push(`${key}: an entry's data is not JSON`);
          }
        }
        if (page.length < 5000) break;
        start = `(${page[page.length - 1]![0]}`;
      }
    }
    const hashes: string[] = [];
    for (const match of ['req:*', 'log:*']) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', match, 'COUNT', 2000);
        cursor = next;
        if (keys.length === 0) continue;
        const p = r.pipeline();
        for (const k of keys) p.hget(k, 'message');
        for (const [, v] of (await p.exec()) ?? []) hashes.push(idOf(undefined, v));
      } while (cursor !== '0');
    }
    return [
      { sink: 'redis.stream', ids: stream, errors },
      { sink: 'redis.hash', ids: hashes, errors: [] },
    ];
  } finally {
    r.disconnect();
  }
}

/**
 * The file exporter's JSON lines: the file, its rotated backups (`out-<time>.jsonl`) and copies a
 * test moved away (`out.jsonl.1`); nothing else in the directory (the exporter's state file).
 */
export function readJsonLines(path: string): SinkRead {
  const dir = dirname(path);
  const name = basename(path);
  const ext = /\.[^.]*$/.exec(name)?.[0] ?? '';
  const stem = name.slice(0, name.length - ext.length);
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^(?:${esc(name)}(?:\\.\\d+)?|${esc(stem)}-[0-9T:.-]+${esc(ext)})$`);
  const ids: string[] = [];
  const errors: string[] = [];
  if (!existsSync(dir)) return { sink: 'file', ids, errors: [`${dir} does not exist`] };
  for (const f of readdirSync(dir)
    .filter((f) => ours.test(f))
    .sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) !== '') errors.push(`${f}: ends inside a line`);
    lines.forEach((line, i) => {
      if (line === '') return;
      try {
        const o = JSON.parse(line) as { message?: string; metadata?: Record<string, unknown> };
        ids.push(idOf(o.metadata?.['test.id'], o.message));
      } catch {
        errors.push(`${f}:${i + 1}: not JSON: ${line.slice(0, 80)}`);
      }
    });
  }
  return { sink: 'file', ids, errors };
}

export interface Verdict {
  sink: string;
  summary: string;
  problems: string[];
}

/**
 * The conservation property for one sink: acked ⊆ stored, no id stored twice, stored ⊆ acked ∪
 * unknown (a refused request, or a record never sent, is not stored). `only` restricts the ids
 * the sink is expected to hold (all by default).
 */
export function conserve(read: SinkRead, ledger: Ledger, only?: (id: string) => boolean): Verdict {
  const counts = new Map<string, number>();
  for (const id of read.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const { refused, unknown } = ledger.failed();
  const sent = ledger.sentIds();
  const want = (id: string) => !only || only(id);
  const missing: string[] = [];
  for (const id of ledger.acked) if (want(id) && !counts.has(id)) missing.push(id);
  const dup: string[] = [];
  let dupExtra = 0;
  const refusedStored: string[] = [];
  const foreign: string[] = [];
  let unknownStored = 0;
  for (const [id, n] of counts) {
    if (n > 1) {
      dup.push(id);
      dupExtra += n - 1;
    }
    if (ledger.acked.has(id)) continue;
    if (unknown.has(id)) unknownStored++;
    else if (refused.has(id)) refusedStored.push(id);
    else foreign.push(id);
  }
  const acked = [...ledger.acked].filter(want).length;
  const problems: string[] = [...read.errors.slice(0, 10)];
  if (read.errors.length > 10) problems.push(`… ${read.errors.length - 10} more read errors`);
  const few = (a: string[]) => a.slice(0, 5).join(', ') + (a.length > 5 ? ', …' : '');
  if (missing.length)
    problems.push(`${missing.length} of ${acked} acknowledged ids are not stored (e.g. ${few(missing)})`);
  if (dup.length)
    problems.push(`${dup.length} ids stored more than once, ${dupExtra} extra entries (e.g. ${few(dup)})`);
  if (refusedStored.length)
    problems.push(`${refusedStored.length} ids of refused requests are stored (e.g. ${few(refusedStored)})`);
  const notSent = foreign.filter((id) => !sent.has(id));
  if (notSent.length)
    problems.push(
      `${notSent.length} stored entries carry no id that was sent (e.g. ${few(notSent.map((s) => JSON.stringify(s)))})`,
    );
  if (foreign.length - notSent.length)
    problems.push(
      `${foreign.length - notSent.length} ids stored that were sent but neither acknowledged nor of unknown outcome`,
    );
  const summary =
    `${read.sink.padEnd(13)} stored ${read.ids.length} (acked ${acked}, of-unknown-outcome ${unknownStored}/${[...unknown].filter(want).length}) ` +
    `missing ${missing.length} dup ${dupExtra} refused-stored ${refusedStored.length}${read.errors.length ? ` read-errors ${read.errors.length}` : ''}`;
  return { sink: read.sink, summary, problems };
}

/** Reads every sink of a setup. */
export async function readAll(p: {
  auditDir: string;
  sqlite: string;
  file?: string;
  redisPort: number;
}): Promise<SinkRead[]> {
  const out: SinkRead[] = [await readMsgpack(p.auditDir), readSqlite(p.sqlite)];
  if (p.file) out.push(readJsonLines(p.file));
  out.push(...(await readRedis(p.redisPort)));
  return out;
}
