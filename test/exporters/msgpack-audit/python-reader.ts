// Reads an audit file with /usr/bin/python3 running the seed's snippet
// (msgpack.Unpacker(f, raw=False) over "audit.log", run in the file's
// directory), printing each entry as JSON plus the Python type of each value.
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';

const SNIPPET = `
import json
import msgpack

def default(o):
    if isinstance(o, bytes):
        return {"$bin": o.hex()}
    raise TypeError(type(o).__name__)

with open("audit.log", "rb") as f:
    unpacker = msgpack.Unpacker(f, raw=False)
    for entry in unpacker:
        types = {k: type(v).__name__ for k, v in entry["data"].items()} if isinstance(entry.get("data"), dict) else {}
        print(json.dumps({"entry": entry, "keys": list(entry.keys()), "timestamp_type": type(entry["timestamp"]).__name__, "types": types}, default=default))
`;

export interface PyEntry {
  entry: { action: string; session: string; timestamp: number; data: Record<string, unknown> };
  keys: string[];
  timestamp_type: string;
  types: Record<string, string>;
}

/** `file` must be named audit.log, as in the seed. */
export function readWithPython(file: string): PyEntry[] {
  if (basename(file) !== 'audit.log') throw new Error(`The seed's snippet reads audit.log, not ${basename(file)}.`);
  const out = execFileSync('/usr/bin/python3', ['-c', SNIPPET], { cwd: dirname(file), encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as PyEntry);
}
