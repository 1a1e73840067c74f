// deploy/auditline.service (issue #15 item 6): `systemd-analyze verify` accepts
// it, and it keeps the properties the deployment relies on. .ci/run installs
// the systemd package when systemd-analyze is missing; the test is skipped,
// saying why, only where the tool cannot be had at all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/collector.js';

const UNIT = join(ROOT, 'deploy', 'auditline.service');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function verify(file: string) {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('systemd unit', () => {
  it.skipIf(!hasAnalyze)(
    'systemd-analyze verify accepts deploy/auditline.service without a warning (and rejects a broken copy)',
    () => {
      const ok = verify(UNIT);
      expect(ok.output).toBe('');
      expect(ok.status).toBe(0);
      const dir = mkdtempSync(join(tmpdir(), 'auditline-unit-'));
      try {
        const broken = join(dir, 'auditline.service');
        writeFileSync(broken, readFileSync(UNIT, 'utf8').replace('ProtectSystem=strict', 'ProtectSystem=sometimes'));
        const bad = verify(broken);
        expect(bad.output).toMatch(/protect ?system/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('the unit runs unprivileged and hardened, reloads with SIGHUP and leaves time to drain', () => {
    const unit = readFileSync(UNIT, 'utf8');
    const has = (line: string) => expect(unit).toMatch(new RegExp(`^${line}$`, 'm'));
    has('DynamicUser=yes');
    has('StateDirectory=auditline');
    has('ProtectSystem=strict');
    has('ReadWritePaths=/var/lib/auditline');
    has('NoNewPrivileges=yes');
    has('Restart=on-failure');
    has('ExecReload=/bin/kill -HUP \\$MAINPID');
    const stop = /^TimeoutStopSec=(\d+)$/m.exec(unit);
    expect(Number(stop?.[1])).toBeGreaterThanOrEqual(60);
    expect(unit).toMatch(
      /^ExecStart=\S*node \/opt\/auditline\/bin\/auditline --config \/etc\/auditline\/collector\.yaml$/m,
    );
  });

  it('the deploy config the unit and the image load is valid', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'auditline'), 'validate', '--config', join(ROOT, 'deploy', 'collector.yaml')],
      {
        encoding: 'utf8',
        env: { ...process.env, AUDITLINE_DATA: tmpdir() },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
