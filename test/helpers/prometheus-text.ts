// A strict reader of the Prometheus text exposition format (0.0.4): every line
// is a HELP, a TYPE, a sample or empty; each family has exactly one HELP and
// one TYPE before its samples; names, label sets and values follow the
// format's grammar. Throws on the first line that does not.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  help: string;
  type: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  const family = (name: string, line: number): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', type: '', samples: [] };
      families.set(name, f);
    } else if (f.samples.length > 0) throw new Error(`line ${line}: ${name} described after its samples`);
    current = f;
    return f;
  };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    if (raw === '') return;
    if (raw.startsWith('# HELP ')) {
      const [name, ...rest] = raw.slice(7).split(' ');
      if (!NAME.test(name!)) throw new Error(`line ${n}: bad metric name in HELP: ${raw}`);
      const f = family(name!, n);
      if (f.help) throw new Error(`line ${n}: second HELP for ${name}`);
      f.help = rest.join(' ');
      if (!f.help) throw new Error(`line ${n}: empty HELP for ${name}`);
      return;
    }
    if (raw.startsWith('# TYPE ')) {
      const [name, type, extra] = raw.slice(7).split(' ');
      if (!NAME.test(name!) || !TYPES.has(type!) || extra !== undefined) throw new Error(`line ${n}: bad TYPE: ${raw}`);
      const f = family(name!, n);
      if (f.type) throw new Error(`line ${n}: second TYPE for ${name}`);
      f.type = type!;
      return;
    }
    if (raw.startsWith('#')) return;
    const s = parseSample(raw, n);
    const owner =
      current && (s.name === current.name || (SUFFIXES[current.type] ?? []).some((x) => s.name === current!.name + x));
    if (!owner) throw new Error(`line ${n}: sample ${s.name} outside its family (no HELP/TYPE before it)`);
    if (!current!.help || !current!.type) throw new Error(`line ${n}: ${current!.name} lacks HELP or TYPE`);
    current!.samples.push(s);
  });
  return families;
}

function parseSample(line: string, n: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`line ${n}: not a sample: ${line}`);
  const value = parseValue(m[3]!);
  if (value === undefined) throw new Error(`line ${n}: bad value: ${line}`);
  return { name: m[1]!, labels: m[2] ? parseLabels(m[2], n) : {}, value };
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`. */
function parseValue(v: string): number | undefined {
  const l = v.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : undefined;
}

/** `{a="x",b="y\"z"}`: escapes \\, \" and \n only. */
function parseLabels(s: string, n: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 1;
  while (i < s.length - 1) {
    const eq = s.indexOf('=', i);
    const name = s.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || s[eq + 1] !== '"') throw new Error(`line ${n}: bad label at ${s.slice(i)}`);
    if (Object.hasOwn(out, name)) throw new Error(`line ${n}: label ${name} twice`);
    let j = eq + 2;
    let value = '';
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] !== '\\') {
        value += s[j];
        continue;
      }
      const e = s[++j];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new Error(`line ${n}: bad escape \\${e}`);
    }
    if (s[j] !== '"') throw new Error(`line ${n}: unterminated label value`);
    out[name] = value;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (i !== s.length - 1) throw new Error(`line ${n}: expected , or } after label ${name}`);
  }
  return out;
}

/** Sum of the samples of `name` whose labels include `match`. */
export function sumOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  const f = families.get(name);
  if (!f) return 0;
  return f.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((t, s) => t + s.value, 0);
}
