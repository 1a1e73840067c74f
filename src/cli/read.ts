// `auditline read FILE [--follow] [-n N] [--json]`: prints the entries of a
// MessagePack audit file, one line each. `--follow` keeps printing entries as
// they are appended (a partially written entry waits for its remaining bytes)
// until SIGINT, like `tail -F`: a file not yet created is waited for, and a
// file rotated away or recreated is read again from its start. `-n N` starts
// with the last N entries. Exit 0; 1 when the file is missing (without
// --follow) or corrupt (with the byte offset); 2 on a usage error.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { AuditFormatError, AuditStreamDecoder, type AuditEntry } from '../format/audit-reader.js';
import { compactJson, escapeControl } from '../format/human-line.js';
import { cliStamp } from './output-options.js';

const USAGE = `Usage: auditline read FILE [--follow] [-n N] [--json]
  Prints each entry of a MessagePack audit file (msgpack_audit exporter).
  -f, --follow   keep printing entries appended to the file, until Ctrl-C; waits for a
                 file not yet created and follows it when it is rotated or recreated
  -n, --lines N  only the last N entries (then, with --follow, every new one)
      --json     one JSON object per line: {"action","session","timestamp","data"}
      --local    times in local time with the zone offset (default: UTC, marked Z)
`;

const CHUNK = 1024 * 1024;
/** How often a followed file is checked when no change notification arrives. */
const POLL_MS = 250;

export interface ReadIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops `--follow` (SIGINT does too). */
  signal?: AbortSignal;
}

export async function runRead(
  argv: string[],
  io: ReadIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values: { follow?: boolean; json?: boolean; help?: boolean; lines?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        follow: { type: 'boolean', short: 'f' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        lines: { type: 'string', short: 'n' },
      },
      allowPositionals: true,
    }));
  } catch (err) {
    io.stderr.write(`auditline read: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(
      `auditline read: ${positionals.length === 0 ? 'FILE is required' : 'only one FILE may be given'}.\n\n${USAGE}`,
    );
    return 2;
  }
  const file = positionals[0]!;
  const format = values.json ? jsonLine : humanLine;
  const last = values.lines === undefined ? undefined : Number(values.lines);
  if (last !== undefined && (!Number.isInteger(last) || last < 0)) {
    io.stderr.write(`auditline read: -n must be a whole number of entries, not "${escapeControl(values.lines!)}".\n`);
    return 2;
  }

  const stop = new AbortController();
  const onSigint = () => stop.abort();
  const external = io.signal;
  if (values.follow) {
    process.once('SIGINT', onSigint);
    if (external) {
      if (external.aborted) stop.abort();
      else external.addEventListener('abort', onSigint, { once: true });
    }
  }
  const out = new Output(io.stdout);
  try {
    return await readFile(file, { format, last }, out, io.stderr, values.follow ? stop.signal : undefined);
  } finally {
    process.removeListener('SIGINT', onSigint);
    external?.removeEventListener('abort', onSigint);
    out.close();
  }
}

async function readFile(
  file: string,
  opts: { format: (e: AuditEntry) => string; last?: number },
  out: Output,
  stderr: NodeJS.WritableStream,
  follow: AbortSignal | undefined,
): Promise<number> {
  let fh = await openFile(file, stderr, follow);
  if (fh === undefined) return follow?.aborted ? 0 : 1;
  // With -n, lines are held back (the last N kept) until the first end of the file.
  let tail: string[] | undefined = opts.last === undefined ? undefined : [];
  let decoder = new AuditStreamDecoder();
  let position = 0;
  let watcher: fs.FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const chunk = Buffer.allocUnsafe(CHUNK); // reused: the decoder copies what it keeps
  try {
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, position);
      if (bytesRead > 0) {
        position += bytesRead;
        decoder.push(chunk.subarray(0, bytesRead));
        const formatted = formatEntries(decoder, opts.format, tail, opts.last ?? 0);
        const failure = formatted.failure;
        let text = formatted.text;
        if (failure !== undefined && tail !== undefined) {
          text = tail.join('');
          tail = undefined;
        }
        if (text !== '' && !(await out.write(text))) return 0; // reader went away (e.g. `| head`)
        if (failure !== undefined) throw failure;
        continue;
      }
      if (tail !== undefined) {
        const text = tail.join('');
        tail = undefined;
        if (text !== '' && !(await out.write(text))) return 0;
      }
      if (!follow) break;
      if (follow.aborted) return 0;
      // At the end: wait for an append (or a poll tick), then check for truncation or replacement.
      watcher ??= watch(file, () => wake?.());
      await pause(follow, (w) => (wake = w));
      if (follow.aborted) return 0;
      const change = await checkRotation(file, fh, position, stderr);
      if (change === undefined) continue;
      if (change !== fh) {
        fh = change;
        watcher?.close();
        watcher = undefined;
      }
      decoder = new AuditStreamDecoder();
      position = 0;
    }
    if (decoder.pendingBytes > 0) {
      stderr.write(
        `auditline read: "${file}" ends with an incomplete entry at byte ${decoder.offset} (${decoder.pendingBytes} bytes).\n`,
      );
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof AuditFormatError) {
      stderr.write(`auditline read: "${file}" is corrupt: ${err.message}\n`);
      return 1;
    }
    stderr.write(`auditline read: cannot read "${file}": ${describeFsError(err)}\n`);
    return 1;
  } finally {
    watcher?.close();
    await fh.close().catch(() => {});
  }
}

/** Formats the complete entries in `decoder`: into the text to print, or into `tail` (keeping the last `last`). */
function formatEntries(
  decoder: AuditStreamDecoder,
  format: (e: AuditEntry) => string,
  tail: string[] | undefined,
  last: number,
): { text: string; failure: unknown } {
  let text = '';
  try {
    for (const { entry } of decoder.entries()) {
      if (tail === undefined) text += format(entry) + '\n';
      else if (tail.push(format(entry) + '\n') > last) tail.shift();
    }
  } catch (err) {
    return { text, failure: err }; // the entries before the corruption are still printed
  }
  return { text, failure: undefined };
}

/** Resolves after a poll interval, when the watcher calls the function given to `setWake`, or on abort. */
function pause(follow: AbortSignal, setWake: (wake: (() => void) | undefined) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, POLL_MS);
    function done() {
      clearTimeout(timer);
      setWake(undefined);
      follow.removeEventListener('abort', done);
      resolve();
    }
    setWake(done);
    follow.addEventListener('abort', done, { once: true });
  });
}

/**
 * At the end of a followed file: the new file when the path now names another
 * one (after the old one is read to its end), the same handle when the file was
 * truncated (both read from the start), else undefined.
 */
async function checkRotation(
  file: string,
  fh: fs.promises.FileHandle,
  position: number,
  stderr: NodeJS.WritableStream,
): Promise<fs.promises.FileHandle | undefined> {
  const [now, open] = await Promise.all([fs.promises.stat(file).catch(() => undefined), fh.stat()]);
  if (now && (now.ino !== open.ino || now.dev !== open.dev)) {
    if (open.size > position) return undefined; // finish the rotated file first
    const next = await fs.promises.open(file, 'r').catch(() => undefined);
    if (!next) return undefined; // gone again: keep the old one until the new one can be opened
    stderr.write(`auditline read: "${file}" was replaced; reading the new file from the start.\n`);
    await fh.close();
    return next;
  }
  if (open.size < position) {
    stderr.write(`auditline read: "${file}" was truncated; reading from the start.\n`);
    return fh;
  }
  return undefined;
}

/** Opens the file; with --follow, a file that does not exist yet is waited for (like `tail -F`). */
async function openFile(
  file: string,
  stderr: NodeJS.WritableStream,
  follow: AbortSignal | undefined,
): Promise<fs.promises.FileHandle | undefined> {
  let told = false;
  for (;;) {
    try {
      return await fs.promises.open(file, 'r');
    } catch (err) {
      if (!follow || (err as NodeJS.ErrnoException).code !== 'ENOENT') {
        stderr.write(`auditline read: cannot open "${file}": ${describeFsError(err)}\n`);
        return undefined;
      }
    }
    if (!told) {
      stderr.write(`auditline read: waiting for "${file}" to be created.\n`);
      told = true;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      function done() {
        clearTimeout(timer);
        follow!.removeEventListener('abort', done);
        resolve();
      }
      follow.addEventListener('abort', done, { once: true });
    });
    if (follow.aborted) return undefined;
  }
}

/** fs.watch where available; polling covers file systems without notifications. */
function watch(file: string, onChange: () => void): fs.FSWatcher | undefined {
  try {
    const w = fs.watch(file, { persistent: false }, onChange);
    w.on('error', () => {});
    return w;
  } catch {
    return undefined;
  }
}

/** `2024-01-15 10:30:45.123Z search_request session=abc123 {"strategy":"knn",…}` */
function humanLine(e: AuditEntry): string {
  const ts = cliStamp(e.timestamp, { ms: true });
  const session = e.session === '' ? '' : ` session=${escapeControl(e.session)}`;
  return `${ts} ${escapeControl(e.action)}${session} ${compactJson(e.data)}`;
}

/** The four keys, binary values as base64, 64-bit integers beyond 2^53 as strings. */
function jsonLine(e: AuditEntry): string {
  return JSON.stringify(
    { action: e.action, session: e.session, timestamp: e.timestamp, data: e.data },
    function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k]; // before Buffer#toJSON
      if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      return v;
    },
  );
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e?.message ?? String(err);
}

/** Writes with backpressure; a closed reader (EPIPE) ends the command quietly. */
class Output {
  private broken = false;
  private readonly onError = () => {
    this.broken = true;
  };

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', this.onError);
  }

  /** False once the stream can no longer be written. */
  async write(text: string): Promise<boolean> {
    if (this.broken) return false;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.removeListener('drain', done);
          this.stream.removeListener('error', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('error', done);
      });
    }
    return !this.broken;
  }

  close(): void {
    this.stream.removeListener('error', this.onError);
  }
}
