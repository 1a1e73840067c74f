// Pipeline workers (`service.workers: N`): N worker threads, each running its
// own copy of every pipeline (processors and exporters). Receivers and
// extensions stay on the main thread, which hands each request body, still
// encoded, to the worker with the least work. The main thread keeps a copy of
// the pipelines too: it serves the exporters' query routes and takes requests
// only when no worker is alive. Workers report their counters here, so
// /metrics shows one collector.
import { Worker } from 'node:worker_threads';
import { BackpressureError } from '../component/errors.js';
import type { LogsConsumer } from '../component/types.js';
import type { PushExporter } from '../exporterhelper/push-exporter.js';
import { ExportResultCode } from '@opentelemetry/core';
import type { InternalLogger } from '../telemetry/logger.js';
import { M, type Telemetry } from '../telemetry/metrics.js';
import {
  decodeAndConsume,
  DecodeFailure,
  PipelineRefused,
  type BodyFormat,
  type RequestConsumer,
  type Ingested,
} from './ingest.js';
import type { RecordTap } from './tap.js';
import {
  fromPlain,
  fromRefusal,
  toRefusal,
  type FromWorker,
  type Refusal,
  type ToWorker,
  type WorkerInit,
} from './worker-messages.js';

/**
 * Requests a worker may hold (running or queued) before the main thread holds
 * new ones back. Few, so a worker's heap only ever holds a batch or two; the
 * main thread deciding nothing else, it measured as fast as any larger number.
 */
const MAX_IN_FLIGHT = 4;
/** Request bodies held back on the main thread before new ones are refused (503, retry later). */
const MAX_WAITING = 256;
const WORKER_FILE = new URL('./pipeline-worker.js', import.meta.url);

interface Pending {
  resolve(r: Ingested): void;
  reject(e: unknown): void;
}
interface Waiting extends Pending {
  receiver: string;
  format: BodyFormat;
  body: Uint8Array;
}

class PipelineWorker {
  readonly thread: Worker;
  readonly pending = new Map<number, Pending>();
  alive = false;
  /** Set once the thread has exited; until then it may be answered (also while it starts). */
  exited = false;
  stopped?: Promise<void>;

  constructor(
    readonly index: number,
    init: WorkerInit,
  ) {
    this.thread = new Worker(WORKER_FILE, { workerData: init, name: `auditline-pipeline-${index}` });
  }

  post(msg: ToWorker, transfer?: ArrayBuffer[]): void {
    this.thread.postMessage(msg, transfer);
  }
}

export class PipelineWorkers {
  private readonly workers: PipelineWorker[] = [];
  private readonly waiting: Waiting[] = [];
  private nextId = 1;
  private stopping = false;
  private turn = 0;

  constructor(
    private readonly count: number,
    private readonly source: WorkerInit['source'],
    private readonly telemetry: Telemetry,
    private readonly tap: RecordTap,
    private readonly logger: InternalLogger,
    /** The main thread's instance of an exporter that workers forward prepared payloads to. */
    private readonly writerOf: (exporter: string) => PushExporter | undefined,
  ) {}

  /** Starts every worker and resolves once each has started its pipelines; rejects with the first failure. */
  async start(): Promise<void> {
    for (let i = 1; i <= this.count; i++) this.workers.push(new PipelineWorker(i, { index: i, source: this.source }));
    await Promise.all(this.workers.map((w) => this.attach(w)));
    this.tap.watch((active) => {
      for (const w of this.workers) if (w.alive) w.post({ type: 'tap', active });
    });
    if (this.tap.active) for (const w of this.workers) w.post({ type: 'tap', active: true });
    this.logger.info('Pipeline workers are running.', { workers: this.count });
  }

  private attach(w: PipelineWorker): Promise<void> {
    return new Promise<void>((ready, failed) => {
      let started = false;
      let stoppedResolve!: () => void;
      w.stopped = new Promise<void>((r) => {
        stoppedResolve = r;
      });
      w.thread.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            started = true;
            w.alive = true;
            ready();
            break;
          case 'failed':
            failed(new Error(`pipeline worker ${w.index}: ${m.message}`));
            break;
          case 'ingested':
            this.settle(w, m.id)?.resolve({ accepted: m.accepted, rejected: m.rejected, rejectReason: m.rejectReason });
            break;
          case 'undecodable':
            this.settle(w, m.id)?.reject(new DecodeFailure(m.message));
            break;
          case 'refused':
            this.settle(w, m.id)?.reject(new PipelineRefused(m.records, m.rejected, fromRefusal(m)));
            break;
          case 'forward':
            this.takeForwarded(w, m);
            break;
          case 'applied?':
            this.tellApplied(w, m);
            break;
          case 'telemetry':
          case 'stopped':
            this.telemetry.setExternal(`worker-${w.index}`, m.series);
            break;
          case 'tap':
            if (this.tap.active) this.tap.publish(m.records.map(fromPlain), m.pipeline);
            break;
        }
      });
      w.thread.on('error', (err) => {
        this.logger.error('A pipeline worker failed.', { worker: w.index, error: err });
        if (!started) failed(err);
      });
      w.thread.on('exit', (code) => {
        w.alive = false;
        w.exited = true;
        if (started && !this.stopping)
          this.logger.error('A pipeline worker stopped; its requests are refused for their senders to retry.', {
            worker: w.index,
            code,
          });
        // Requests it held were never acknowledged, so their senders retry them: nothing is lost.
        for (const p of w.pending.values())
          p.reject(new PipelineRefused(0, 0, new BackpressureError('A pipeline worker stopped; retry.', 1, 503)));
        w.pending.clear();
        if (!started) failed(new Error(`pipeline worker ${w.index} exited with code ${code} before starting`));
        stoppedResolve();
        if (!this.workers.some((x) => x.alive)) this.refuseWaiting();
      });
    });
  }

  /** A worker's prepared batch for the main thread's one writer, keyed by the worker's log span. */
  private takeForwarded(w: PipelineWorker, m: Extract<FromWorker, { type: 'forward' }>): void {
    const writer = this.writerOf(m.exporter);
    const reply = (refused?: Refusal) => {
      if (!w.exited) w.post({ type: 'forwarded', id: m.id, refused });
    };
    if (!writer) return reply({ message: `exporter "${m.exporter}" is not running on the main thread` });
    try {
      writer.exportPrepared(
        m.payload,
        (res) => {
          reply(
            res.code === ExportResultCode.SUCCESS ? undefined : toRefusal(res.error ?? new Error('Export failed.')),
          );
        },
        m.span,
      );
    } catch (err) {
      reply(toRefusal(err));
    }
  }

  private tellApplied(w: PipelineWorker, m: Extract<FromWorker, { type: 'applied?' }>): void {
    const writer = this.writerOf(m.exporter);
    Promise.resolve(writer?.appliedPosition?.(m.log) ?? 0).then(
      (position) => {
        if (!w.exited) w.post({ type: 'applied', id: m.id, position });
      },
      (err: unknown) => {
        if (!w.exited) w.post({ type: 'applied', id: m.id, refused: toRefusal(err) });
      },
    );
  }

  private settle(w: PipelineWorker, id: number): Pending | undefined {
    const p = w.pending.get(id);
    w.pending.delete(id);
    const next = this.waiting.shift();
    if (next) this.send(w, next.receiver, next.format, next.body).then(next.resolve, next.reject);
    return p;
  }

  /** The consumer a receiver gets: dispatches bodies to workers, and records (already decoded) to `local`. */
  dispatcher(receiver: string, local: LogsConsumer): RequestConsumer {
    return {
      consume: (records) => local.consume(records),
      consumeEncoded: (format, body) => {
        const w = this.pick();
        if (w) return this.send(w, receiver, format, body);
        if (!this.workers.some((x) => x.alive)) return decodeAndConsume(local, format, body);
        if (this.waiting.length >= MAX_WAITING) {
          return Promise.reject(
            new PipelineRefused(0, 0, new BackpressureError('Every pipeline worker is busy; retry later.', 1, 503)),
          );
        }
        return new Promise<Ingested>((resolve, reject) => {
          this.waiting.push({ receiver, format, body, resolve, reject });
        });
      },
    };
  }

  /** The live worker with the least work (ties taken in turn), unless all have MAX_IN_FLIGHT already. */
  private pick(): PipelineWorker | undefined {
    let best: PipelineWorker | undefined;
    const n = this.workers.length;
    for (let k = 0; k < n; k++) {
      const w = this.workers[(this.turn + k) % n]!;
      if (!w.alive || w.pending.size >= MAX_IN_FLIGHT) continue;
      if (!best || w.pending.size < best.pending.size) best = w;
    }
    this.turn = (this.turn + 1) % n;
    return best;
  }

  private send(w: PipelineWorker, receiver: string, format: BodyFormat, body: Uint8Array): Promise<Ingested> {
    const id = this.nextId++;
    this.telemetry.add(M.workerRequests, 1, { worker: String(w.index) });
    // Transfer the body's memory when it owns all of it; otherwise it is copied.
    const owned =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    return new Promise<Ingested>((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      w.post({ type: 'ingest', id, receiver, format, body }, owned ? [body.buffer as ArrayBuffer] : undefined);
    });
  }

  private refuseWaiting(): void {
    for (const x of this.waiting.splice(0))
      x.reject(new PipelineRefused(0, 0, new BackpressureError('The pipeline workers stopped; retry.', 1, 503)));
  }

  /** Asks every worker to flush its pipelines and stop; resolves when all have exited. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    // A worker still starting (another failed first) is stopped outright: it has taken no records yet.
    for (const w of this.workers)
      if (w.alive) w.post({ type: 'shutdown' });
      else void w.thread.terminate();
    await Promise.all(this.workers.map((w) => w.stopped));
  }
}
