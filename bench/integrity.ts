// Issue 17: collector CPU per record with `integrity` off and on (ed25519), for
// msgpack_audit (a checkpoint every second) and sqlite (an entry per table per
// transaction), under the core figure's load. Runs alternate off/on so drift
// on a shared machine hits both; what was written with integrity on is verified.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKey, loadVerifier, type Verifier } from '../src/integrity/keys.js';
import { verifyAuditFile } from '../src/integrity/verify-file.js';
import { verifyDatabase } from '../src/integrity/verify-sqlite.js';
import { runCollectorLoad } from './collector-load.js';

type Sink = 'msgpack_audit' | 'sqlite';

const SINKS: Record<
  Sink,
  { yaml: (integrity: string) => string; verify: (dir: string, key: Verifier) => { ok: boolean; lines: string[] } }
> = {
  msgpack_audit: {
    yaml: (i) =>
      `  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"${i && `\n    integrity: { ${i}, interval: 1s }`}`,
    verify: (dir, key) => {
      const file = join(dir, 'logs', 'bench', 'audit.log');
      return verifyAuditFile(file, `${file}.digest`, key);
    },
  },
  sqlite: {
    yaml: (i) => `  sqlite:\n    path: "{{dir}}/data/auditline.db"${i && `\n    integrity: { ${i} }`}`,
    verify: (dir, key) => verifyDatabase(join(dir, 'data', 'auditline.db'), key),
  },
};

export async function run(
  totalRecords = 300_000,
  rounds = 3,
  workers = 0,
  sinks: Sink[] = ['msgpack_audit', 'sqlite'],
): Promise<void> {
  const keys = mkdtempSync(join(tmpdir(), 'auditline-bench-keys-'));
  const k = generateKey('ed25519');
  writeFileSync(join(keys, 'audit.key'), k.secret, { mode: 0o600 });
  writeFileSync(join(keys, 'audit.pub'), k.public!);
  const key = loadVerifier(join(keys, 'audit.pub'));
  for (const sink of sinks) {
    const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
    for (let i = 0; i < rounds; i++) {
      for (const mode of ['off', 'on'] as const) {
        const r = await runCollectorLoad({
          exportersYaml: SINKS[sink].yaml(mode === 'on' ? `key_file: ${join(keys, 'audit.key')}` : ''),
          exporterIds: [sink],
          totalRecords,
          workers,
        });
        if (r.collectorCpuMicros !== undefined) cpu[mode].push(r.collectorCpuMicros);
        const v = mode === 'on' ? SINKS[sink].verify(r.dir, key) : { ok: true, lines: [] };
        if (!v.ok) console.log(`  WARNING: verify failed: ${v.lines.join(' ')}`);
        r.cleanup();
        const rate = Math.round(r.recordsPerSecond).toLocaleString('en');
        console.log(
          `  ${sink} round ${i + 1}, integrity ${mode}: ${rate} records/s, collector CPU ${r.collectorCpuMicros?.toFixed(2) ?? '?'} µs/record`,
        );
      }
    }
    const off = median(cpu.off);
    const on = median(cpu.on);
    console.log(
      `collector: OTLP/HTTP protobuf → redaction → batch → ${sink}, ${totalRecords.toLocaleString('en')} records, service.workers: ${workers}`,
    );
    console.log(
      `  median collector CPU: integrity off ${off.toFixed(2)} µs/record, on ${on.toFixed(2)} µs/record (${(((on - off) / off) * 100).toFixed(1)}%)`,
    );
  }
  rmSync(keys, { recursive: true, force: true });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // node dist/bench/integrity.js [records] [rounds] [workers] [msgpack_audit|sqlite]
  const [records, rounds, workers, sink] = process.argv.slice(2);
  await run(
    records ? Number(records) : undefined,
    rounds ? Number(rounds) : undefined,
    workers ? Number(workers) : undefined,
    sink ? [sink as Sink] : undefined,
  );
}
