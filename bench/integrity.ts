// Issue 17: collector CPU per record with msgpack_audit `integrity` off and on
// (ed25519, a checkpoint every second), same load as the core figure; runs
// alternate off/on so drift on a shared machine hits both. The file written
// with integrity on is verified afterwards.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKey, loadVerifier } from '../src/integrity/keys.js';
import { verifyAuditFile } from '../src/integrity/verify-file.js';
import { runCollectorLoad } from './collector-load.js';

export async function run(totalRecords = 400_000, rounds = 3, workers = 0): Promise<{ off: number; on: number }> {
  const keys = mkdtempSync(join(tmpdir(), 'auditline-bench-keys-'));
  const k = generateKey('ed25519');
  writeFileSync(join(keys, 'audit.key'), k.secret, { mode: 0o600 });
  writeFileSync(join(keys, 'audit.pub'), k.public!);
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  for (let i = 0; i < rounds; i++) {
    for (const mode of ['off', 'on'] as const) {
      const integrity = mode === 'on' ? `\n    integrity: { key_file: ${join(keys, 'audit.key')}, interval: 1s }` : '';
      const r = await runCollectorLoad({
        exportersYaml: `  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"${integrity}`,
        exporterIds: ['msgpack_audit'],
        totalRecords,
        workers,
      });
      if (r.collectorCpuMicros !== undefined) cpu[mode].push(r.collectorCpuMicros);
      if (mode === 'on') {
        const v = verifyAuditFile(
          join(r.dir, 'logs', 'bench', 'audit.log'),
          join(r.dir, 'logs', 'bench', 'audit.log.digest'),
          loadVerifier(join(keys, 'audit.pub')),
        );
        if (!v.ok) console.log(`  WARNING: verify failed: ${v.lines.join(' ')}`);
      }
      r.cleanup();
      console.log(
        `  round ${i + 1}, integrity ${mode}: ${Math.round(r.recordsPerSecond).toLocaleString('en')} records/s, collector CPU ${r.collectorCpuMicros?.toFixed(2) ?? '?'} µs/record`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const off = median(cpu.off);
  const on = median(cpu.on);
  console.log(
    `collector: OTLP/HTTP protobuf → redaction → batch → msgpack_audit, ${totalRecords.toLocaleString('en')} records, service.workers: ${workers}`,
  );
  console.log(
    `  median collector CPU: integrity off ${off.toFixed(2)} µs/record, on (ed25519, interval 1s) ${on.toFixed(2)} µs/record (${(((on - off) / off) * 100).toFixed(1)}%)`,
  );
  return { off, on };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // node dist/bench/integrity.js [records] [rounds] [workers]
  await run(
    process.argv[2] ? Number(process.argv[2]) : undefined,
    process.argv[3] ? Number(process.argv[3]) : undefined,
    process.argv[4] ? Number(process.argv[4]) : undefined,
  );
}
