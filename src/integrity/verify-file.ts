// Verifies an audit file against its digest: every checkpoint's signature
// and its link to the one before (so none was edited, removed, inserted or
// reordered), then the file's bytes against the checkpoints of its current
// generation, in order, stopping at the first that does not match.
import fs from 'node:fs';
import { AuditFormatError, AuditStreamDecoder } from '../format/audit-reader.js';
import {
  GENESIS,
  checkSignature,
  fileCheckpointHash,
  parseFileCheckpoint,
  type SignedFileCheckpoint,
} from './checkpoint.js';
import type { Verifier } from './keys.js';
import { createHash } from 'node:crypto';

export interface FileVerifyResult {
  ok: boolean;
  /** What was checked (OK) or where the chain breaks (failed), as sentences. */
  lines: string[];
  /** Where it breaks: the file's byte offset and entry index, or the digest line. */
  failure?: { digestLine?: number; offset?: number; entry?: number };
}

const CHUNK = 1024 * 1024;

/** A checkpoint with its 1-based line number in the digest. */
type Numbered = SignedFileCheckpoint & { line: number };

/** `generation`: which file at the path `file` is (default the newest; a rotated file is an earlier one). */
export function verifyAuditFile(
  file: string,
  digestFile: string,
  key: Verifier,
  generation?: number,
): FileVerifyResult {
  const chain = readChain(digestFile, key);
  if ('failed' in chain) return chain.failed;
  const { checkpoints, notes } = chain;
  if (checkpoints.length === 0) return fail([`The digest "${digestFile}" holds no checkpoint.`], {});
  const gen = generation ?? checkpoints[checkpoints.length - 1]!.gen;
  const current = checkpoints.filter((c) => c.gen === gen);
  if (current.length === 0) return fail([`The digest "${digestFile}" has no generation ${gen}.`], {});
  const event = sameFileEvent(checkpoints, gen);
  if (event) return fail([event.text], { digestLine: event.line });
  const result = checkBytes(file, current);
  if (!result.ok) return result;
  const others = checkpoints.length - current.length;
  if (others > 0) {
    notes.push(
      `Checked generation ${gen}; ${others} checkpoint(s) of other files at this path (generations ${generations(checkpoints, gen)}) ` +
        'are chained and signed; check a rotated file with --generation N.',
    );
  }
  result.lines.push(...notes);
  return result;
}

/** The other generations with their checkpoint numbers: `0 (checkpoints 0–3), 2 (checkpoints 6–6)`. */
function generations(checkpoints: Numbered[], except: number): string {
  const spans = new Map<number, [number, number]>();
  for (const c of checkpoints) {
    if (c.gen === except) continue;
    const s = spans.get(c.gen);
    if (s) s[1] = c.seq;
    else spans.set(c.gen, [c.seq, c.seq]);
  }
  return [...spans].map(([g, [a, b]]) => `${g} (checkpoints ${a}–${b})`).join(', ');
}

function fail(lines: string[], failure: NonNullable<FileVerifyResult['failure']>): FileVerifyResult {
  return { ok: false, lines, failure };
}

/** Parses the digest and checks each checkpoint's signature and link. */
function readChain(
  digestFile: string,
  key: Verifier,
): { checkpoints: Numbered[]; notes: string[] } | { failed: FileVerifyResult } {
  let text: string;
  try {
    text = fs.readFileSync(digestFile, 'utf8');
  } catch (err) {
    return { failed: fail([`Cannot read the digest "${digestFile}": ${(err as Error).message}`], {}) };
  }
  const notes: string[] = [];
  const lines = text.split('\n');
  const torn = lines.pop();
  if (torn !== undefined && torn !== '')
    notes.push(
      'The digest ends with an incomplete line (a checkpoint being written when the writer stopped); it was ignored.',
    );
  const checkpoints: Numbered[] = [];
  let prevHash = GENESIS;
  let prev: Numbered | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const at = `digest line ${line}`;
    let c: Numbered;
    try {
      c = { ...parseFileCheckpoint(lines[i]!), line };
    } catch (err) {
      return { failed: fail([`FAILED at ${at}: not a checkpoint (${(err as Error).message}).`], { digestLine: line }) };
    }
    if (c.key_id !== key.keyId || c.alg !== key.algorithm) {
      return {
        failed: fail(
          [
            `FAILED at ${at}: signed with ${c.alg} key ${c.key_id}, not with the given ${key.algorithm} key ${key.keyId}.`,
          ],
          { digestLine: line },
        ),
      };
    }
    if (!checkSignature(c, key)) {
      return {
        failed: fail([`FAILED at ${at}: the signature does not match (the checkpoint was edited or forged).`], {
          digestLine: line,
        }),
      };
    }
    if (c.prev !== prevHash || c.seq !== i) {
      const what =
        prev === undefined
          ? 'the first checkpoint does not start the chain (checkpoints before it were removed)'
          : c.seq > i
            ? `checkpoint ${c.seq} follows checkpoint ${prev.seq} (checkpoints were removed)`
            : `checkpoint ${c.seq} does not follow checkpoint ${prev.seq} (checkpoints were removed, inserted or reordered)`;
      return { failed: fail([`FAILED at ${at}: ${what}.`], { digestLine: line }) };
    }
    const newGen = prev === undefined ? c.gen === 0 : c.gen === prev.gen + 1;
    if (c.reason !== undefined ? !newGen : prev === undefined || c.gen !== prev.gen || c.start !== prev.end) {
      return {
        failed: fail(
          [`FAILED at ${at}: checkpoint ${c.seq} does not continue where checkpoint ${prev?.seq ?? '-'} ended.`],
          { digestLine: line },
        ),
      };
    }
    checkpoints.push(c);
    prevHash = fileCheckpointHash(c);
    prev = c;
  }
  return { checkpoints, notes };
}

/**
 * Generations that continued on the same file (not a rotation) because it was cut below what was covered,
 * or bytes the writer did not write were added: tampering, or a copytruncate rotation. Returns the first.
 */
function sameFileEvent(checkpoints: Numbered[], gen: number): { text: string; line: number } | undefined {
  let found: { text: string; line: number } | undefined;
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const c = checkpoints[i]!;
    if (c.reason === undefined) continue;
    if (c.reason === 'new' || c.reason === 'replaced') break;
    if (c.gen > gen) continue;
    const text =
      c.reason === 'truncated'
        ? `FAILED at digest line ${c.line}: the writer found the file cut back to ${c.start} bytes, below what earlier checkpoints covered (entries removed from its end, or a copytruncate rotation).`
        : `FAILED at digest line ${c.line}: the writer found bytes it had not written before byte ${c.start} (entries appended by someone else).`;
    found = { text, line: c.line };
  }
  return found;
}

interface Span {
  c: Numbered;
  firstEntry: number;
  entries: number;
  minTs: number;
  maxTs: number;
  badAt?: number;
}

/** Checks the file's bytes against the checkpoints of one generation, in order. */
function checkBytes(file: string, cps: Numbered[]): FileVerifyResult {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return fail([`Cannot read "${file}": ${(err as Error).message}`], {});
  }
  try {
    const size = fs.fstatSync(fd).size;
    const first = cps[0]!;
    const dec = new AuditStreamDecoder(first.start);
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = first.start;
    let entry = 0;
    for (const c of cps) {
      const span: Span = { c, firstEntry: entry, entries: 0, minTs: Infinity, maxTs: -Infinity };
      const hash = createHash('sha256');
      while (pos < c.end) {
        const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, c.end - pos), pos);
        if (n === 0) break;
        const chunk = buf.subarray(0, n);
        hash.update(chunk);
        if (span.badAt === undefined) countEntries(dec, chunk, span);
        pos += n;
      }
      entry = span.firstEntry + span.entries;
      if (pos < c.end) {
        return fail(
          [
            `FAILED at byte ${size} (entry ${entry}): the file ends inside checkpoint ${c.seq} (digest line ${c.line}), which covers bytes ${c.start}–${c.end} with ${c.records} entries: entries were removed from its end.`,
          ],
          { offset: size, entry, digestLine: c.line },
        );
      }
      const problem = compare(span, hash.digest('hex'), dec.offset);
      if (problem)
        return fail([problem], { offset: span.badAt ?? c.start, entry: span.firstEntry, digestLine: c.line });
    }
    return { ok: true, lines: summary(cps, size, fd, entry) };
  } finally {
    fs.closeSync(fd);
  }
}

function countEntries(dec: AuditStreamDecoder, chunk: Buffer, span: Span): void {
  dec.push(chunk);
  try {
    for (const { entry } of dec.entries()) {
      span.entries++;
      if (entry.timestamp < span.minTs) span.minTs = entry.timestamp;
      if (entry.timestamp > span.maxTs) span.maxTs = entry.timestamp;
    }
  } catch (err) {
    span.badAt = err instanceof AuditFormatError ? err.offset : dec.offset;
  }
}

/** Why a checkpoint's bytes do not match it, or undefined when they do. */
function compare(s: Span, sha256: string, decodedTo: number): string | undefined {
  const c = s.c;
  const where = `bytes ${c.start}–${c.end} (entries ${s.firstEntry}–${s.firstEntry + Math.max(s.entries, c.records) - 1}), checkpoint ${c.seq} (digest line ${c.line})`;
  if (sha256 === c.sha256 && s.badAt === undefined && decodedTo === c.end && s.entries === c.records) return undefined;
  const detail =
    s.badAt !== undefined
      ? `; the first entry that does not decode is at byte ${s.badAt}`
      : decodedTo !== c.end
        ? `; an entry crosses the checkpoint's end at byte ${c.end}`
        : s.entries !== c.records
          ? `; they hold ${s.entries} entries where ${c.records} were written`
          : '';
  return `FAILED at byte ${s.badAt ?? c.start} (entry ${s.firstEntry}): ${where} do not match: an entry there was changed, removed, inserted or reordered${detail}.`;
}

function summary(cps: Numbered[], size: number, fd: number, entries: number): string[] {
  const first = cps[0]!;
  const last = cps[cps.length - 1]!;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const c of cps) {
    if (c.min_ts !== null && c.min_ts < minTs) minTs = c.min_ts;
    if (c.max_ts !== null && c.max_ts > maxTs) maxTs = c.max_ts;
  }
  const time = entries > 0 ? `, ${new Date(minTs).toISOString()} to ${new Date(maxTs).toISOString()}` : '';
  const lines = [
    `OK: bytes ${first.start}–${last.end} (${entries} entries${time}) match ${cps.length} signed checkpoint(s); the last written ${new Date(last.time).toISOString()}.`,
  ];
  if (first.start > 0)
    lines.push(
      `Bytes 0–${first.start} are not covered (written before integrity was on, or before a new generation started).`,
    );
  if (size > last.end)
    lines.push(
      `${size - last.end} byte(s) after the last checkpoint are not covered yet (${tailEntries(fd, last.end, size)} entries).`,
    );
  return lines;
}

/** Whole entries in [from, to), for the report. */
function tailEntries(fd: number, from: number, to: number): number {
  const dec = new AuditStreamDecoder(from);
  const buf = Buffer.allocUnsafe(CHUNK);
  let n = 0;
  try {
    for (let pos = from; pos < to;) {
      const got = fs.readSync(fd, buf, 0, Math.min(CHUNK, to - pos), pos);
      if (got === 0) break;
      dec.push(buf.subarray(0, got));
      for (const _ of dec.entries()) n++;
      pos += got;
    }
  } catch {
    /* counted up to the first bad entry */
  }
  return n;
}
