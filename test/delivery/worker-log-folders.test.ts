import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFolder, orphanedWorkerLogs } from '../../src/delivery/worker-log-folders.js';

describe('worker log folders', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the logs of workers above the configured count, by log name, for that pipeline only', () => {
    dir = mkdtempSync(join(tmpdir(), 'auditline-wlf-'));
    for (const log of ['logs', 'logs#w1', 'logs#w2', 'logs#w10', 'logs/audit#w3', 'logs#wx', 'logs#w0', 'logs2#w4']) {
      mkdirSync(join(dir, logFolder(log)));
    }
    expect(orphanedWorkerLogs(dir, 'logs', 1)).toEqual(['logs#w10', 'logs#w2']);
    expect(orphanedWorkerLogs(dir, 'logs', 0)).toEqual(['logs#w1', 'logs#w10', 'logs#w2']);
    expect(orphanedWorkerLogs(dir, 'logs', 16)).toEqual([]);
    expect(orphanedWorkerLogs(dir, 'logs/audit', 2)).toEqual(['logs/audit#w3']);
    expect(orphanedWorkerLogs(join(dir, 'missing'), 'logs', 0)).toEqual([]);
  });
});
