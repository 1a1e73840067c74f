// examples/system-stream end to end: the example's own collector.yaml in a real collector
// process tails the log file the example's app.mjs writes (a real file in a temp dir);
// every line reaches msgpack_audit redacted, and `auditline logs system` (the built CLI)
// streams them live, redacted too (issue #13 item 6). Needs `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCollector, tempDir, ROOT, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { auditEntries } from '../helpers/audit-entries.js';

const EXAMPLE = join(ROOT, 'examples', 'system-stream');
const TOKEN = 'system-stream-example-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Entry {
  action: string;
  session: string;
  data: Record<string, unknown>;
}

let collector: RunningCollector;
let env: NodeJS.ProcessEnv;
let dir: string;

function runApp(args: string[]): ChildProcess {
  return spawn(process.execPath, [join(EXAMPLE, 'app.mjs'), ...args], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, APP_LOG: join(dir, 'app.log'), INTERVAL_MS: '20' },
  });
}

beforeAll(async () => {
  dir = tempDir('auditline-example-system-stream-');
  writeFileSync(join(dir, 'app.log'), ''); // start_at: end: the file exists before the collector starts
  const port = await freePort();
  collector = await startCollector(readFileSync(join(EXAMPLE, 'collector.yaml'), 'utf8'), {
    dir,
    env: {
      APP_LOG: join(dir, 'app.log'),
      AUDIT_DIR: join(dir, 'logs'),
      QUERY_API_ENDPOINT: `127.0.0.1:${port}`,
      AUDITLINE_TOKEN: TOKEN,
    },
  });
  env = { AUDITLINE_URL: `http://127.0.0.1:${port}`, AUDITLINE_TOKEN: TOKEN };
}, 30_000);

afterAll(async () => {
  await collector?.cleanup();
});

describe('examples/system-stream', () => {
  it("the app's lines, plain and JSON, reach the MessagePack audit file parsed and redacted", async () => {
    const app = runApp(['--count', '8']);
    expect(await new Promise((r) => app.once('exit', r))).toBe(0);
    const auditFile = join(dir, 'logs', 'audit.log');
    const entries = (): Entry[] => auditEntries<Entry>(auditFile);
    for (let i = 0; i < 200 && entries().length < 8; i++) await sleep(100);
    const got = entries();
    expect(got).toHaveLength(8);
    expect(got.filter((e) => e.action === 'order_placed').map((e) => e.session)).toEqual(['s-1', 's-0']);
    const reset = got.filter((e) => e.action === 'password_reset');
    expect(reset).toHaveLength(2);
    expect(reset[0]!.data.severity).toBe('WARNING');
    expect(JSON.stringify(got)).toContain('payment gateway timeout');
    expect(JSON.stringify(got)).not.toContain('alice@example.com');
  }, 30_000);

  it('auditline logs system streams the lines live, redacted', async () => {
    let finished = false;
    const cli = runCli(['logs', 'system', '--limit', '8', '--json'], { env }).finally(() => {
      finished = true;
    });
    // The stream has no past: keep the app writing until the command has its 8 lines (bounded).
    const app = runApp([]);
    for (let i = 0; i < 600 && !finished; i++) await sleep(50);
    app.kill('SIGTERM');
    const { code, stdout } = await cli;
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { message: string; level: string; component: string; attributes: Record<string, unknown> },
      );
    expect(lines).toHaveLength(8);
    expect(lines.every((l) => l.component === 'auditline/filelog' && l.attributes['log.file.name'] === 'app.log')).toBe(
      true,
    );
    expect(
      lines.some((l) => l.attributes['event.name'] === 'password_reset' || l.message.includes('password_reset')),
    ).toBe(true);
    expect(stdout).not.toContain('alice@example.com');
    expect(stdout).toContain('****');
  }, 60_000);
});
