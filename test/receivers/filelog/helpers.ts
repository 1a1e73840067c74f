import { rmSync } from 'node:fs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { fileStorageExtensionFactory, type FileStorage } from '../../../src/extensions/file-storage/factory.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { filelogReceiverConfigSpec, type FilelogReceiverConfig } from '../../../src/receivers/filelog/config.js';
import { FilelogReceiver } from '../../../src/receivers/filelog/receiver.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';

export class Capture implements LogsConsumer {
  records: ReadableLogRecord[] = [];
  calls = 0;
  constructor(private readonly refuse: (call: number) => Error | undefined = () => undefined) {}
  async consume(r: ReadableLogRecord[]): Promise<void> {
    const err = this.refuse(++this.calls);
    if (err) throw err;
    this.records.push(...r);
  }
  bodies(): string[] {
    return this.records.map((r) => String(r.body));
  }
}

export function parseConfig(raw: Record<string, unknown>): FilelogReceiverConfig {
  const issues: ConfigIssue[] = [];
  const c = filelogReceiverConfigSpec.parse(raw, ['receivers', 'filelog'], issues);
  if (!c) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  return c;
}

export function configIssues(raw: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  filelogReceiverConfigSpec.parse(raw, ['receivers', 'filelog'], issues);
  return issues.map((i) => `${i.path.join('::')}: ${i.message}`);
}

export function hostWith(extensions: Record<string, unknown> = {}): Host {
  return {
    getExtension: <T>(id: string) => extensions[id] as T | undefined,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry: new Telemetry(),
  };
}

export function fileStorage(directory: string): FileStorage {
  return fileStorageExtensionFactory.create(
    { id: 'file_storage', logger: silentLogger, telemetry: new Telemetry() },
    fileStorageExtensionFactory.config.parse({ directory }, [], [])!,
  ) as FileStorage;
}

export function receiver(
  raw: Record<string, unknown>,
  next: LogsConsumer,
  telemetry = new Telemetry(),
): FilelogReceiver {
  return new FilelogReceiver(
    { id: 'filelog', logger: silentLogger, telemetry },
    parseConfig({ poll_interval: '20ms', ...raw }),
    next,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; fails after a generous limit (never a timing assertion, only a hang guard). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(10);
  }
}

/** Line ids (`id=N`) in the captured bodies: all, and the distinct ones. */
export function ids(c: Capture): { all: number[]; unique: Set<number> } {
  const all = c.bodies().map((b) => Number(/id=(\d+)/.exec(b)?.[1] ?? NaN));
  return { all, unique: new Set(all) };
}

export function cleanup(dirs: string[]): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
