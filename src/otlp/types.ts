// Shapes shared by the OTLP logs decoders and encoders.
import type { LogAttributes } from '@opentelemetry/api-logs';
import type { LogRecordData } from '../model/log-record.js';

/** What a decoder produced from one ExportLogsServiceRequest. */
export interface DecodedLogs {
  /** Accepted records, in request order. */
  records: LogRecordData[];
  /** Records dropped as invalid (see README: bad trace/span id length). */
  rejected: number;
  /** Why the first rejected record was dropped; set when `rejected > 0`. */
  rejectReason?: string;
}

/**
 * The instrumentation scope shared by every record of one ScopeLogs group.
 * Satisfies the SDK's `ReadableLogRecord['instrumentationScope']`.
 */
export interface LogScope {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: LogAttributes;
  droppedAttributesCount?: number;
}

/** The request body cannot be decoded; the receiver answers 400 with this message. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/**
 * Attributes one log record may carry. A record with more is rejected (partial_success), so one
 * record cannot cost unbounded time in the decoder, the processors and every sink.
 */
export const MAX_RECORD_ATTRIBUTES = 4096;

/** Deepest AnyValue array/kvlist nesting (and protobuf group nesting) accepted. */
export const MAX_NESTING = 64;

/** Assigns an attribute without letting a `__proto__` key replace the prototype. */
export function setAttribute(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
