// A pipeline worker thread (see worker-pool.ts): builds every pipeline's
// processors and exporters from the same YAML as the main thread, decodes the
// request bodies it is handed and pushes them in, and answers each with what
// the receiver needs for its response.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../component/errors.js';
import { defaultRegistry } from '../components.js';
import { loadConfigText } from '../config/load.js';
import { collectorLogger } from '../telemetry/collector-logger.js';
import { asRefused, decodeAndConsume, DecodeFailure } from './ingest.js';
import { Service } from './service.js';
import type { Forward } from './forwarding-exporter.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';
import { fromRefusal, toPlain, toRefusal } from './worker-messages.js';

/** How often changed counters are sent to the main thread. */
const TELEMETRY_EVERY_MS = 50;

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  const cfg = loadConfigText(init.source.text, defaultRegistry(), process.env, init.source.file);
  // Requests to the main thread's one writer of an exporter (sqlite, msgpack_audit), answered by id.
  const asked = new Map<number, { resolve(v: number | undefined): void; reject(e: Error): void }>();
  let nextAsk = 1;
  const ask = (m: FromWorker) =>
    new Promise<number | undefined>((resolve, reject) => {
      asked.set((m as { id: number }).id, { resolve, reject });
      send(m);
    });
  const forward: Forward = {
    payload: (exporter, payload, span) =>
      ask({ type: 'forward', id: nextAsk++, exporter, payload, span }).then(() => undefined),
    applied: (exporter, log) => ask({ type: 'applied?', id: nextAsk++, exporter, log }).then((p) => p ?? 0),
  };
  // Answers arrive while the service starts (exporters' applied positions), so listen before starting.
  const onAnswer = (m: ToWorker) => {
    if (m.type !== 'forwarded' && m.type !== 'applied') return;
    const f = asked.get(m.id);
    asked.delete(m.id);
    if (m.refused) f?.reject(fromRefusal(m.refused));
    else f?.resolve(m.type === 'applied' ? m.position : undefined);
  };
  port.on('message', onAnswer);
  const service = new Service(cfg, {
    pipelinesOnly: true,
    forward,
    workerIndex: init.index,
    logger: collectorLogger(cfg, `auditline[worker ${init.index}]`),
  });
  try {
    await service.start();
  } catch (err) {
    send({ type: 'failed', message: errorMessage(err) });
    process.exit(1);
  }

  let sentVersion = -1;
  const timer = setInterval(() => {
    if (service.telemetry.version === sentVersion) return;
    sentVersion = service.telemetry.version;
    send({ type: 'telemetry', series: service.telemetry.ownSeries() });
  }, TELEMETRY_EVERY_MS);

  let untap: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'ingest') {
      ingest(service, m);
    } else if (m.type === 'tap') {
      untap?.();
      untap = m.active
        ? service.tap.subscribe((records, pipeline) => send({ type: 'tap', pipeline, records: records.map(toPlain) }))
        : undefined;
    } else if (m.type === 'shutdown') {
      clearInterval(timer);
      untap?.();
      void service.shutdown().finally(() => {
        send({ type: 'stopped', series: service.telemetry.ownSeries() });
        port.close();
        // The thread ends by itself once idle; a handle some client library left open must not hold it.
        setTimeout(() => process.exit(0), 2_000).unref();
      });
    }
  });
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: errorMessage(err) });
  process.exit(1);
});

/** Decodes and appends one request the main thread forwarded, and answers it. */
function ingest(service: Service, m: Extract<ToWorker, { type: 'ingest' }>): void {
  const head = service.head(m.receiver);
  if (!head) {
    send({
      type: 'refused',
      id: m.id,
      records: 0,
      rejected: 0,
      message: `receiver "${m.receiver}" feeds no pipeline in this worker`,
    });
    return;
  }
  decodeAndConsume(head, m.format, m.body).then(
    (r) =>
      send({
        type: 'ingested',
        id: m.id,
        accepted: r.accepted,
        rejected: r.rejected,
        rejectReason: r.rejectReason,
      }),
    (err: unknown) => {
      if (err instanceof DecodeFailure) return send({ type: 'undecodable', id: m.id, message: err.message });
      const refused = asRefused(err);
      send({
        type: 'refused',
        id: m.id,
        records: refused.records,
        rejected: refused.rejected,
        ...toRefusal(refused.cause),
      });
    },
  );
}
