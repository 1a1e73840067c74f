// `auditline logs system` against a real collector process: filelog (a temp file) → redaction →
// msgpack_audit, with the query API. Lines appended to the file are printed redacted, in the
// human format or as JSON; without --follow the command says it shows the live stream and
// --limit N ends it after N lines (issue #13 item 1).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as system } from '../../../src/cli/logs/system.js';
import type { Io } from '../../../src/cli/logs/index.js';
import { runCli, startCollector, tempDir, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';

const TOKEN = 'system-cli-token';

interface Captured extends Io {
  out: () => string;
  err: () => string;
  lines: () => string[];
}

function io(env: NodeJS.ProcessEnv, signal?: AbortSignal): Captured {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
      },
    },
    env,
    signal,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter((l) => l !== ''),
  };
}

describe('auditline logs system – real collector with a filelog receiver', () => {
  let c: RunningCollector;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const port = await freePort();
    const dir = tempDir('auditline-logs-system-');
    c = await startCollector(
      `
receivers:
  filelog:
    include: ["{{dir}}/*.log"]
    start_at: beginning
    poll_interval: 50ms
processors:
  redaction: {}
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
extensions:
  query_api:
    endpoint: "127.0.0.1:${port}"
    auth: { tokens: ["${TOKEN}"] }
service:
  extensions: [query_api]
  pipelines:
    logs/system: { receivers: [filelog], processors: [redaction], exporters: [msgpack_audit] }
`,
      { dir },
    );
    env = { AUDITLINE_URL: `http://127.0.0.1:${port}`, AUDITLINE_TOKEN: TOKEN };
  });
  afterAll(async () => {
    await c?.cleanup();
  });

  /**
   * Appends numbered lines to `<prefix>.log` until `done` holds (the command may not have connected
   * yet when the first is written). One file per test, so a late line of one test never reaches the next.
   */
  async function feed(prefix: string, done: () => boolean): Promise<void> {
    for (let i = 0; !done(); i++) {
      appendFileSync(join(c.dir, `${prefix}.log`), `${prefix} ${i} from carol@example.com\n`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('--follow prints appended lines redacted in the console format until stopped', async () => {
    const stop = new AbortController();
    const c1 = io(env, stop.signal);
    const done = system.run(['--follow'], c1);
    await feed('follow', () => c1.lines().length >= 2);
    stop.abort();
    expect(await done).toBe(0);
    expect(c1.err()).toBe('');
    for (const line of c1.lines())
      expect(line).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z \[INFO\] auditline\/filelog: follow \d+ from .*\(log\.file\.name=follow\.log\)$/,
      );
    expect(c1.out()).not.toContain('carol@example.com');
  });

  it('without --follow says it shows the live stream; --limit N --json ends after N JSON lines', async () => {
    const c2 = io(env, new AbortController().signal);
    let finished = false;
    const done = system.run(['--limit', '3', '--json', '--file', 'limited.log'], c2).finally(() => {
      finished = true;
    });
    await feed('limited', () => finished);
    expect(await done).toBe(0);
    expect(c2.err()).toMatch(/showing the live stream until 3 lines arrived/);
    expect(c2.lines()).toHaveLength(3);
    for (const l of c2.lines()) {
      const r = JSON.parse(l) as {
        message: string;
        level: string;
        component: string;
        attributes: Record<string, unknown>;
      };
      expect(r).toMatchObject({
        level: 'INFO',
        component: 'auditline/filelog',
        attributes: { 'log.file.name': 'limited.log' },
      });
      expect(r.message).toMatch(/^limited \d+ from /);
      expect(r.message).not.toContain('carol@example.com');
    }
  });

  it('the auditline binary prints the lines too, and refuses a bad --limit', async () => {
    let finished = false;
    const run = runCli(['logs', 'system', '--limit', '1', '--file', 'binary.log'], { env }).finally(() => {
      finished = true;
    });
    await feed('binary', () => finished);
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+ \S+ \[INFO\] auditline\/filelog: binary \d+ from /);
    expect(r.stdout).not.toContain('carol@example.com');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const bad = io(env);
    expect(await system.run(['--limit', '0'], bad)).toBe(2);
    expect(bad.err()).toMatch(/--limit must be a positive integer/);
  });

  it('is listed in logs help', async () => {
    const { logsCommands } = await import('../../../src/cli/logs/index.js');
    expect(logsCommands.map((x) => x.name)).toContain('system');
    const h = io(env);
    expect(await system.run(['--help'], h)).toBe(0);
    expect(h.out()).toMatch(/^Usage: auditline logs system/);
  });
});
