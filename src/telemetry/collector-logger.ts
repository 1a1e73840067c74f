// The collector's own log, for the main thread and every pipeline worker alike,
// as `service.telemetry.logs` says: level, `console` or `json` encoding,
// `initial_fields`, and `output_paths` (stderr, stdout or files, appended to).
// An environment value from the config shows as its reference (a token given by
// mistake as a file path would otherwise be echoed by the error that the file
// cannot be opened), and control characters are escaped.
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceConfig } from '../config/load.js';
import { escapeControl } from '../config/safe-text.js';
import { defaultTelemetryConfig } from './config.js';
import { createLogger, type InternalLogger } from './logger.js';

/** Thrown when an output path cannot be opened; the message names the path. */
export class LogOutputError extends Error {}

export interface CollectorLogger extends InternalLogger {
  /** Closes the files this logger opened. */
  close(): void;
}

// JSON.stringify escapes C0 controls; these would still reach a terminal or log viewer as they are.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const jsonSafe = (line: string) =>
  line.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function collectorLogger(cfg: ServiceConfig, name = 'auditline'): CollectorLogger {
  const logs = (cfg.telemetry ?? defaultTelemetryConfig()).logs;
  const secrets = cfg.secrets;
  const redact = (s: string) => (secrets ? secrets.redact(s) : s);
  const out = openOutputs(logs.output_paths, logs.error_output_paths, redact);
  const json = logs.encoding === 'json';
  const logger = createLogger(name, {
    level: cfg.logLevel,
    encoding: logs.encoding,
    fields: logs.initial_fields,
    // A value redacted inside a JSON string stays valid JSON: references are plain text.
    write: json ? (line) => out.write(jsonSafe(redact(line))) : (line) => out.write(escapeControl(redact(line))),
  });
  return { ...logger, close: () => out.close() };
}

interface Outputs {
  write(line: string): void;
  close(): void;
}

/** `stderr`, `stdout`, a file path or a `file://` URL; files are opened once, for appending, mode 0600. */
function openOutputs(paths: string[], errorPaths: string[], redact: (s: string) => string): Outputs {
  const fds: number[] = [];
  const sinks = paths.map((p) => sinkOf(p, fds, redact));
  let failed = false;
  const reportFailure = (path: string, err: unknown) => {
    if (failed) return;
    failed = true;
    const line = `Auditline cannot write its log to ${escapeControl(redact(path))}: ${(err as Error).message}\n`;
    for (const e of errorPaths) {
      try {
        if (e === 'stdout') process.stdout.write(line);
        else if (e === 'stderr') process.stderr.write(line);
        else appendFileSync(e.startsWith('file:') ? fileURLToPath(e) : e, line, { mode: 0o600 });
      } catch {
        /* nowhere left to say it */
      }
    }
  };
  return {
    write(line) {
      for (const s of sinks) {
        try {
          s.write(`${line}\n`);
        } catch (err) {
          reportFailure(s.path, err);
        }
      }
    },
    close() {
      for (const fd of fds.splice(0)) {
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
      }
    },
  };
}

function sinkOf(
  path: string,
  fds: number[],
  redact: (s: string) => string,
): { path: string; write(text: string): void } {
  if (path === 'stderr') return { path, write: (t) => process.stderr.write(t) };
  if (path === 'stdout') return { path, write: (t) => process.stdout.write(t) };
  const file = path.startsWith('file:') ? fileURLToPath(path) : path;
  let fd: number;
  try {
    fd = openSync(file, 'a', 0o600);
  } catch (err) {
    throw new LogOutputError(`Cannot open the log output ${escapeControl(redact(file))}: ${errorCode(err)}.`);
  }
  fds.push(fd);
  // Appends are synchronous so that entries from the main thread and workers stay whole lines.
  return {
    path: file,
    write: (t) => {
      writeSync(fd, t);
    },
  };
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
