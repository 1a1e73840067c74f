// Drops records that match any configured OTTL condition (or, with the legacy
// settings, records outside `include` / inside `exclude`), as the Collector's
// filter processor does. Dropped records are counted; a batch that loses
// every record ends here and is acknowledged, not forwarded.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import type { RecordPredicate } from '../../src/matching/log-match.js';
import { M } from '../../src/telemetry/metrics.js';
import type { ErrorMode, FilterConfig } from './config.js';
import type { CompiledCondition } from './ottl/compile.js';

/** A condition with the error mode of its group (`log_conditions` groups may override the processor's). */
interface Check {
  condition: CompiledCondition;
  errorMode: ErrorMode;
}

export class FilterProcessor implements Processor {
  private readonly checks: Check[];
  private readonly include?: RecordPredicate;
  private readonly exclude?: RecordPredicate;
  private readonly labels: { processor: string };
  private readonly active: boolean;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: FilterConfig,
    private readonly next: LogsConsumer,
  ) {
    const mode = cfg.error_mode;
    this.checks = [
      ...[...(cfg.logs.resource ?? []), ...(cfg.logs.log_record ?? [])].map((condition) => ({
        condition,
        errorMode: mode,
      })),
      ...(cfg.log_conditions ?? []).flatMap((g) =>
        g.conditions.map((condition) => ({ condition, errorMode: g.errorMode ?? mode })),
      ),
    ];
    this.include = cfg.logs.include ?? undefined;
    this.exclude = cfg.logs.exclude ?? undefined;
    this.labels = { processor: settings.id };
    this.active = this.checks.length > 0 || this.include !== undefined || this.exclude !== undefined;
  }

  async start(_host: Host): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (!this.active) return this.next.consume(records);
    let kept: ReadableLogRecord[] | undefined;
    try {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const drop = this.shouldDrop(r);
        // The output array is only built once the first record is dropped.
        if (drop && kept === undefined) kept = records.slice(0, i);
        else if (!drop && kept !== undefined) kept.push(r);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    if (kept === undefined) return this.next.consume(records);
    this.settings.telemetry.add(M.processorFiltered, records.length - kept.length, this.labels);
    return kept.length === 0 ? Promise.resolve() : this.next.consume(kept);
  }

  async shutdown(): Promise<void> {}

  private shouldDrop(r: ReadableLogRecord): boolean {
    if (this.include && !this.include(r)) return true;
    if (this.exclude && this.exclude(r)) return true;
    const checks = this.checks;
    for (let i = 0; i < checks.length; i++) {
      const { condition: c, errorMode } = checks[i]!;
      try {
        if (c.matches(r)) return true;
      } catch (err) {
        if (errorMode === 'propagate')
          throw new PermanentError(
            `Failed to evaluate filter condition ${JSON.stringify(c.source)}: ${errorMessage(err)}`,
          );
        if (errorMode === 'ignore') {
          this.settings.logger.burst(
            'warn',
            'eval',
            'Failed to evaluate a filter condition; treating it as not matched.',
            {
              processor: this.settings.id,
              condition: c.source,
              error: errorMessage(err),
            },
          );
        }
      }
    }
    return false;
  }
}
