// The debugging commands' view of an entry (oauth-debug, errors-debug): the
// seed-format line, then every field of the record on its own line, the
// attributes flattened as `attributes.name`, and a blank line between records.
import type { Io } from './command.js';
import { formatRecord, useColour } from './format.js';
import { humanEntry } from './redis-entries.js';

export function fullRecord(e: Record<string, unknown>, io: Io): string {
  let out = `${formatRecord(humanEntry(e), useColour(io))}\n`;
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(e)) {
    if (v === null || v === undefined) continue;
    if (k === 'attributes' && typeof v === 'object' && !Array.isArray(v)) {
      for (const [ak, av] of Object.entries(v as Record<string, unknown>)) rows.push([`attributes.${ak}`, show(av)]);
    } else rows.push([k, show(v)]);
  }
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out += `    ${k.padEnd(w)}  ${v.replace(/\n/g, `\n    ${' '.repeat(w)}  `)}\n`;
  return `${out}\n`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
