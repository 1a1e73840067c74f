// Runs the configured attribute actions, in order, on every record that the
// include/exclude blocks select (include is checked first, as in the Collector).
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import type { RecordPredicate } from '../../src/matching/log-match.js';
import { compileAction, type CompiledAction } from './actions.js';
import type { AttributesConfig } from './config.js';

export class AttributesProcessor implements Processor {
  private readonly actions: CompiledAction[];
  private readonly include?: RecordPredicate;
  private readonly exclude?: RecordPredicate;

  constructor(
    _settings: CreateSettings,
    cfg: AttributesConfig,
    private readonly next: LogsConsumer,
  ) {
    this.actions = cfg.actions.map(compileAction);
    this.include = cfg.include?.matches;
    this.exclude = cfg.exclude?.matches;
  }

  async start(_host: Host): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    const actions = this.actions;
    const n = actions.length;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (this.include && !this.include(r)) continue;
      if (this.exclude && this.exclude(r)) continue;
      const attrs = r.attributes;
      for (let j = 0; j < n; j++) actions[j]!(attrs);
    }
    return this.next.consume(records);
  }

  async shutdown(): Promise<void> {}
}
