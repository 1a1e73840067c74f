// Lists every option a component accepts, with its shape and default, by
// walking its config spec. Used by `auditline components TYPE` and to keep
// the README's option reference in step with the code.
import type { Field, Spec } from './schema.js';

export interface OptionRow {
  key: string;
  shape: string;
  default: string;
}

export function describeOptions(spec: Spec<unknown>, prefix = ''): OptionRow[] {
  const rows: OptionRow[] = [];
  for (const [name, field] of Object.entries(spec.fields ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = field.spec.item?.fields ? field.spec.item : undefined;
    if (field.ignored !== undefined) {
      rows.push({ key, shape: `ignored, with a warning (${field.ignored})`, default: '' });
    } else if (field.spec.fields) {
      rows.push({ key, shape: 'map', default: field.required ? 'required' : field.default ? '' : 'optional' });
      rows.push(...describeOptions(field.spec, key));
    } else if (inner) {
      rows.push({ key, shape: 'list of maps', default: defaultText(field) });
      rows.push(...describeOptions(inner, `${key}[]`));
    } else {
      rows.push({ key, shape: field.spec.shape, default: defaultText(field) });
    }
  }
  return rows;
}

function defaultText(f: Field<unknown>): string {
  if (f.required) return 'required';
  if (!f.default) return 'optional';
  const v = f.default();
  if (v === undefined) return 'optional';
  if (f.spec.shape.startsWith('duration') && typeof v === 'number') return formatMillis(v);
  if (f.spec.shape.startsWith('host:port') && typeof v === 'object' && v !== null) {
    const e = v as { host: string; port: number };
    return `${e.host}:${e.port}`;
  }
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

function formatMillis(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
