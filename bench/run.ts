// `npm run bench [-- core|sqlite|redis|micro|integrity|quality ...]`: runs the benchmark groups
// and prints their figures. Nothing here asserts; the figures are the output.
import { run as coreCollector } from './core-collector.js';
import { run as decompress } from './decompress.js';
import { run as inProcess } from './in-process.js';
import { run as integrity } from './integrity.js';
import { run as msgpackEncode } from './msgpack-encode.js';
import { run as otlpDecode } from './otlp-decode.js';
import { run as pipelineOnly } from './pipeline-only.js';
import { run as redaction } from './redaction.js';
import { run as redactionQuality } from './redaction-quality.js';
import { run as redisIndex } from './redis-index.js';
import { run as redisCollector } from './redis-collector.js';
import { run as redisCpu } from './redis-cpu.js';
import { run as sqliteCollector } from './sqlite-collector.js';
import { run as sqliteCpu } from './sqlite-cpu.js';
import { run as sqliteQuery } from './sqlite-query.js';
import { run as telemetry } from './telemetry.js';

const groups: Record<string, () => Promise<unknown>> = {
  core: async () => {
    await coreCollector();
    await pipelineOnly();
    await inProcess();
  },
  sqlite: async () => {
    await sqliteCollector();
    await sqliteCpu();
    await sqliteQuery();
  },
  redis: async () => {
    await redisCollector();
    await redisCpu();
    await redisIndex();
  },
  micro: async () => {
    await otlpDecode();
    await redaction();
    await msgpackEncode();
  },
  integrity: async () => {
    await integrity();
  }, // issue #17: CPU per record with msgpack_audit integrity off and on
  quality: async () => {
    await redactionQuality();
  }, // issue #12: recall/precision on the labelled corpus
  telemetry: async () => {
    await telemetry();
  }, // issue #15: /metrics render time, counting cost
  decompress: async () => {
    await decompress();
  }, // issue #15: request body decoders, bombs at the limit
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(groups);
for (const n of names) {
  if (!groups[n]) {
    console.error(`Unknown benchmark group "${n}"; choose from ${Object.keys(groups).join(', ')}.`);
    process.exit(2);
  }
}
for (const n of names) {
  console.log(`\n== ${n} ==`);
  await groups[n]!();
}
