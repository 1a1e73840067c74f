// A receiver's hand-off of one request body: decode it into records and give
// them to the pipeline. Receivers hand bodies to a RequestConsumer; with
// pipeline workers the one the collector gives them dispatches the
// still-encoded body to a worker thread, so decoding runs in parallel too.
import type { LogsConsumer } from '../component/types.js';
import { errorMessage } from '../component/errors.js';
import { decodeLogsRequestJson } from '../otlp/decode-json.js';
import { decodeLogsRequestProtobuf } from '../otlp/decode-protobuf.js';

export type BodyFormat = 'protobuf' | 'json';

export interface Ingested {
  accepted: number;
  /** Records dropped as invalid while decoding (reported as partial success). */
  rejected: number;
  rejectReason?: string;
}

/** The body is not a valid OTLP logs request (the receiver's 400 / INVALID_ARGUMENT). */
export class DecodeFailure extends Error {
  override name = 'DecodeFailure';
}

/** The pipeline refused the decoded records; `cause` is its error (e.g. a BackpressureError). */
export class PipelineRefused extends Error {
  override name = 'PipelineRefused';
  constructor(
    readonly records: number,
    readonly rejected: number,
    override readonly cause: unknown,
  ) {
    super(errorMessage(cause));
  }
}

/** Any failure of `ingest` other than DecodeFailure, as a PipelineRefused (records unknown: 0). */
export function asRefused(err: unknown): PipelineRefused {
  return err instanceof PipelineRefused ? err : new PipelineRefused(0, 0, err);
}

/**
 * A consumer that also takes request bodies as they arrived, before decoding. Rejects with
 * DecodeFailure or PipelineRefused.
 */
export interface RequestConsumer extends LogsConsumer {
  consumeEncoded(format: BodyFormat, body: Uint8Array): Promise<Ingested>;
}

/**
 * What a receiver sends bodies to, chosen once when it is built: the collector's consumer takes them
 * encoded (pipeline heads and worker dispatchers are RequestConsumers); any other consumer (in-process
 * use, tests) is given the records decoded on this thread.
 */
export function requestConsumer(next: LogsConsumer): RequestConsumer {
  if ('consumeEncoded' in next && typeof next.consumeEncoded === 'function') return next as RequestConsumer;
  return {
    consume: (records, wireBytes) => next.consume(records, wireBytes),
    consumeEncoded: (format, body) => decodeAndConsume(next, format, body),
  };
}

/** Decodes on this thread and consumes. Rejects with DecodeFailure or PipelineRefused. */
export async function decodeAndConsume(next: LogsConsumer, format: BodyFormat, body: Uint8Array): Promise<Ingested> {
  let decoded;
  try {
    decoded = format === 'protobuf' ? decodeLogsRequestProtobuf(body) : decodeLogsRequestJson(body);
  } catch (err) {
    throw new DecodeFailure(errorMessage(err));
  }
  const { records, rejected, rejectReason } = decoded;
  try {
    if (records.length > 0) await next.consume(records, body.length);
  } catch (err) {
    throw new PipelineRefused(records.length, rejected, err);
  }
  return { accepted: records.length, rejected, rejectReason };
}
