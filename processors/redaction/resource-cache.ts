// Resources are shared by every record of a ResourceLogs group (collector)
// or of a LoggerProvider (in-process), so each distinct Resource object is
// redacted once and the result remembered. An unchanged resource is kept as
// is, so exporters that group by resource identity still group.
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { AnyValue } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type DetectedResourceAttributes, type Resource } from '@opentelemetry/resources';
import type { Redactor } from './redactor.js';

type Attrs = Record<string, AnyValue>;

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';

export class ResourceCache {
  private readonly cache = new WeakMap<Resource, Resource>();
  /** Keys removed or masked in resources redacted since the last `takeChanges()`. */
  private changes = 0;

  constructor(private readonly redactor: Redactor) {}

  redact(res: Resource): Resource {
    let r = this.cache.get(res);
    if (r === undefined) {
      r = res.asyncAttributesPending ? this.buildPending(res) : this.build(res);
      this.cache.set(res, r);
      if (r !== res) this.cache.set(r, r);
    }
    return r;
  }

  takeChanges(): number {
    const n = this.changes;
    this.changes = 0;
    return n;
  }

  private build(res: Resource): Resource {
    const attrs: Attrs = { ...res.attributes };
    const c = this.redactor.redactAttributes(attrs);
    if (c.redacted + c.masked === 0) return res;
    this.changes += c.redacted + c.masked;
    this.redactor.writeSummary(attrs, c, 'redaction.');
    return resourceFromAttributes(attrs as Attributes, { schemaUrl: res.schemaUrl });
  }

  /** Detector attributes still resolving: settled ones now, the rest redacted as they resolve. */
  private buildPending(res: Resource): Resource {
    const settled: Attrs = {};
    const pending: Record<string, PromiseLike<unknown>> = {};
    for (const [k, v] of res.getRawAttributes()) {
      if (isPromiseLike(v)) pending[k] = v;
      else if (v != null && !(k in settled)) settled[k] = v;
    }
    const c = this.redactor.redactAttributes(settled);
    this.changes += c.redacted + c.masked;
    this.redactor.writeSummary(settled, c, 'redaction.');
    const out: DetectedResourceAttributes = { ...(settled as Attributes) };
    for (const [k, p] of Object.entries(pending)) {
      out[k] = Promise.resolve(p).then((val) => {
        const one: Attrs = { [k]: val as AnyValue };
        this.redactor.redactAttributes(one);
        return one[k] as AttributeValue | undefined;
      });
    }
    return resourceFromAttributes(out, { schemaUrl: res.schemaUrl });
  }
}
