// Auditline's levels and their OpenTelemetry severity numbers (docs/log-formats.md).
import { SeverityNumber } from '@opentelemetry/api-logs';

/** The six levels (TRACE is below DEBUG: OTel severity 1–4). */
export type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export const SEVERITY: Readonly<Record<Level, SeverityNumber>> = {
  TRACE: SeverityNumber.TRACE,
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  WARNING: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
  CRITICAL: SeverityNumber.FATAL,
};

/** A level from its name (also WARN and FATAL, any case); `fallback` for anything else. */
export function levelOf(l: unknown, fallback: Level): Level {
  if (typeof l !== 'string') return fallback;
  const u = l.toUpperCase();
  if (u === 'WARN') return 'WARNING';
  if (u === 'FATAL') return 'CRITICAL';
  return Object.hasOwn(SEVERITY, u) ? (u as Level) : fallback;
}
