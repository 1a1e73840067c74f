// The redaction engine, compiled once from a validated config. It walks
// attribute maps in place and bodies copy-on-write (a body may be the
// application's own object), applying per key: ignore, remove, mask whole
// value, or scan the value for secrets at any depth.
import type { AnyValue } from '@opentelemetry/api-logs';
import { anyOf, compileGoRegExp, type GoRegExp } from '../../src/matching/go-regexp.js';
import { CleanCache, MAX_CACHED_LENGTH } from './clean-cache.js';
import type { RedactionConfig } from './config.js';
import { PrivacyScanner, SHORT_TEXT, isCardString } from './detectors.js';
import { KeyAction, KeyRules, clearlyNotSecret, isSecretName } from './key-rules.js';
import { makeMask, type MaskFn } from './masking.js';
import { Sanitizers } from './sanitize/sanitizers.js';
import { Spans } from './spans.js';

/** What one pass changed. The Collector counts keys, not matches. */
export interface RedactionCounts {
  /** Keys removed: not in `allowed_keys`, or content. */
  redacted: number;
  /** Keys whose value was masked in whole or in part. */
  masked: number;
  /** Keys passed through because of `ignored_keys` / `ignored_key_patterns`. */
  ignored: number;
  /** Paths of removed keys (`user.prompt`, `messages.[0].content`); filled only with summary: debug. */
  redactedKeys: string[];
  /** Paths of masked keys; filled only with summary: debug. */
  maskedKeys: string[];
}

type Attrs = Record<string, AnyValue>;

/** Attribute positions whose last key and its action are remembered. */
const SLOTS = 64;

/** The shortest text the detectors can find anything in (x@y.io). */
const MIN_DETECTABLE = 6;

/** Deeper values cannot be inspected (and may be cyclic), so they are masked whole. */
const MAX_DEPTH = 32;

function newCounts(): RedactionCounts {
  return { redacted: 0, masked: 0, ignored: 0, redactedKeys: [], maskedKeys: [] };
}

function resetCounts(c: RedactionCounts): RedactionCounts {
  c.redacted = 0;
  c.masked = 0;
  c.ignored = 0;
  if (c.redactedKeys.length) c.redactedKeys = [];
  if (c.maskedKeys.length) c.maskedKeys = [];
  return c;
}

export class Redactor {
  readonly summary: RedactionConfig['summary'];
  /** Keys removed or masked by the last `redactLog` call (attributes and body). */
  changes = 0;

  private readonly rules: KeyRules;
  private readonly mask: MaskFn;
  private readonly debug: boolean;
  private readonly blocked: GoRegExp[];
  /** Whether any blocked pattern matches, in one search (most values: none does). */
  private readonly anyBlocked: { test(s: string): boolean } | undefined;
  private readonly allowed: GoRegExp[];
  private readonly scanner: PrivacyScanner | undefined;
  /** Keys whose IP addresses the pii profile keeps (client.address), when it runs. */
  private readonly ipKeys: Set<string> | undefined;
  private readonly cards: boolean;
  private readonly allTypes: boolean;
  private readonly spans = new Spans();
  private readonly slotKeys: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly slotActions: KeyAction[] = new Array<KeyAction>(SLOTS).fill(KeyAction.Scan);
  /** The key's own text redacted (an email used as a key), or undefined when it is clean. */
  private readonly slotRenames: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  /** Redacted key texts, by key; only keys that changed are stored (bounded like the key rule cache). */
  private readonly keyRenames = new Map<string, string>();
  private readonly keyClean = new Set<string>();
  /** Set while a key's own text is scanned. */
  private keyMode = false;
  /**
   * The last string value found clean at each attribute position. A string's
   * verdict depends only on its characters, and decoders hand out the same
   * string object for a value that repeats, so `===` (a pointer compare, or a
   * native compare of equal-length text) replaces a rescan.
   */
  private readonly slotClean: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly allowSpans = new Spans();
  /** allowMaxEnd[i]: the largest end among allowSpans[0..i] (sorted by start). */
  private readonly allowMaxEnd: number[] = [];
  private readonly pushSpan = (a: number, b: number): void => {
    this.spans.push(a, b);
  };
  private readonly pushAllowed = (a: number, b: number): void => {
    this.allowSpans.push(a, b);
  };
  private readonly clean = new CleanCache();
  /** Shorter strings are returned as they are: nothing could match in them. */
  private readonly minScanned: number;
  /** Checks short strings when the detectors are all there is (no blocked_values). */
  private readonly shortCheck: PrivacyScanner | undefined;
  private readonly attrCounts = newCounts();
  private readonly bodyCounts = newCounts();
  private counts: RedactionCounts = this.attrCounts;
  /** `url_sanitizer` / `db_sanitizer`, run before the rest; undefined when not configured. */
  private readonly sanitizers: Sanitizers | undefined;

  constructor(config: RedactionConfig) {
    const p = config.privacy;
    // `privacy.enabled` is the master switch; `profiles` picks the detector sets under it.
    const on = p.enabled && config.profiles.includes('secrets');
    const piiOn = p.enabled && config.profiles.includes('pii');
    this.summary = config.summary;
    this.debug = config.summary === 'debug';
    const allowAll = config.allow_all_keys ?? config.allowed_keys === undefined;
    this.rules = new KeyRules({
      ignored: config.ignored_keys,
      ignoredPatterns: config.ignored_key_patterns.map(compileGoRegExp),
      allowed: allowAll ? undefined : (config.allowed_keys ?? []),
      blockedKeyPatterns: config.blocked_key_patterns.map(compileGoRegExp),
      secrets: on,
      extraSecretKeys: p.secret_keys,
      dropContent: on && p.drop_content,
      extraContentKeys: p.content_keys,
    });
    this.mask = makeMask(config.mask, config.hash_function, config.hash_key ?? config.hmac_key);
    this.blocked = config.blocked_values.map(compileGoRegExp);
    this.anyBlocked = this.blocked.length > 1 ? anyOf(this.blocked) : undefined;
    this.allowed = config.allowed_values.map(compileGoRegExp);
    const off = {
      emails: false,
      card_numbers: false,
      jwts: false,
      credentials: false,
      api_keys: false,
      secret_keys: [],
      drop_content: false,
    };
    this.scanner =
      on || piiOn ? new PrivacyScanner({ ...(on ? p : off), pii: piiOn ? config.pii : undefined }) : undefined;
    this.ipKeys = piiOn && config.pii.ip_addresses ? new Set(config.pii.kept_ip_keys) : undefined;
    this.cards = on && p.card_numbers;
    this.allTypes = config.redact_all_types && this.blocked.length > 0;
    this.minScanned = this.blocked.length > 0 ? 1 : this.scanner !== undefined ? MIN_DETECTABLE : Infinity;
    this.shortCheck = this.blocked.length === 0 ? this.scanner : undefined;
    this.sanitizers = Sanitizers.from(config, (k) => this.rules.classify(k) === KeyAction.Ignore);
  }

  /**
   * Redacts an attribute map in place (keys removed, values replaced). The
   * returned counts are reused by the next call; read them before calling again.
   */
  redactAttributes(attrs: Attrs): RedactionCounts {
    const c = (this.counts = resetCounts(this.attrCounts));
    const slotKeys = this.slotKeys;
    const slotActions = this.slotActions;
    const slotClean = this.slotClean;
    let renamed: [string, string][] | undefined;
    let i = 0;
    for (const k in attrs) {
      const v = attrs[k];
      // Records from one call site list the same keys in the same order, and property
      // names are interned strings: comparing with the key last seen at this position
      // is a pointer compare, cheaper than the Map lookup.
      let action: KeyAction;
      let rename: string | undefined;
      const slot = i++;
      if (slot < SLOTS && slotKeys[slot] === k) {
        action = slotActions[slot]!;
        rename = this.slotRenames[slot];
      } else {
        action = this.rules.classify(k);
        rename = this.keyText(k);
        if (slot < SLOTS) {
          slotKeys[slot] = k;
          slotActions[slot] = action;
          this.slotRenames[slot] = rename;
        }
      }
      if (rename !== undefined) (renamed ??= []).push([k, rename]);
      // A number or a boolean is not prompt or response text (`llm.token_count.prompt`): kept and scanned.
      if (action === KeyAction.Content && (typeof v === 'number' || typeof v === 'boolean')) action = KeyAction.Scan;
      switch (action) {
        case KeyAction.Scan: {
          if (typeof v === 'string') {
            if (slot < SLOTS && slotClean[slot] === v) break;
            const nv = this.ipKeys !== undefined && this.ipKeys.has(k) ? this.keepingIps(v) : this.text(v);
            if (nv !== v) {
              attrs[k] = nv;
              this.masked(k);
            } else if (slot < SLOTS) slotClean[slot] = v;
            break;
          }
          // Numbers and booleans directly: `any` is too large to inline.
          if (typeof v === 'number' || typeof v === 'boolean') {
            const nv = this.primitive(v);
            if (nv !== v) {
              attrs[k] = nv;
              this.masked(k);
            }
            break;
          }
          const nv = this.any(v, this.debug ? k : '', 0);
          if (nv !== v) attrs[k] = nv as AnyValue;
          break;
        }
        case KeyAction.Own:
          break;
        case KeyAction.Ignore:
          c.ignored++;
          break;
        case KeyAction.Mask:
        case KeyAction.MaskBuiltin: {
          const nv = this.maskWhole(v, k, action === KeyAction.MaskBuiltin ? k : undefined);
          if (nv !== v) attrs[k] = nv as AnyValue;
          break;
        }
        default:
          delete attrs[k];
          c.redacted++;
          if (this.debug) c.redactedKeys.push(k);
      }
    }
    if (renamed !== undefined) this.renameAttributes(attrs, renamed);
    return c;
  }

  /** Renames keys whose own text held a secret, keeping the order of the others. */
  private renameAttributes(attrs: Attrs, renamed: [string, string][]): void {
    const entries = Object.entries(attrs);
    for (const k of Object.keys(attrs)) delete attrs[k];
    const to = new Map(renamed);
    for (const [k, v] of entries) {
      const nk = to.get(k);
      if (nk === undefined) attrs[k] = v;
      else {
        attrs[uniqueKey(attrs, nk)] = v;
        this.masked(nk);
      }
    }
  }

  /** A key's text with what the detectors find in it masked, or undefined when nothing is found. */
  private keyText(k: string): string | undefined {
    if (this.scanner === undefined || k.length < MIN_DETECTABLE) return undefined;
    const hit = this.keyRenames.get(k);
    if (hit !== undefined) return hit;
    if (this.keyClean.has(k)) return undefined;
    // Only the privacy profile's detectors read keys: blocked_values apply to values, as in the Collector.
    this.keyMode = true;
    let r: string;
    try {
      r = this.str(k);
    } finally {
      this.keyMode = false;
    }
    if (this.keyRenames.size + this.keyClean.size >= KEY_CACHE_LIMIT) {
      this.keyRenames.clear();
      this.keyClean.clear();
    }
    if (r === k) {
      this.keyClean.add(k);
      return undefined;
    }
    this.keyRenames.set(k, r);
    return r;
  }

  /** A value under a key that keeps IP addresses: scanned without the IP detector and without the clean cache. */
  private keepingIps(v: string): string {
    const sc = this.scanner!;
    sc.keepIps = true;
    try {
      return v.length < this.minScanned ? v : this.str(v);
    } finally {
      sc.keepIps = false;
    }
  }

  /** An event name (also a key name in some exporters) with every secret in it masked. */
  redactText(s: string): string {
    this.counts = resetCounts(this.bodyCounts);
    return this.text(s);
  }

  /**
   * Returns the redacted value (a body, or any attribute value); the input is
   * never modified. Counts, as for `redactAttributes`, are in `lastValueCounts`.
   */
  redactValue(value: AnyValue): AnyValue {
    this.counts = resetCounts(this.bodyCounts);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return this.any(value, 'body', 0) as AnyValue;
    }
    return this.any(value, '', 0) as AnyValue;
  }

  /** Counts of the last `redactValue` call. */
  get lastValueCounts(): RedactionCounts {
    return this.bodyCounts;
  }

  /**
   * One log record: attributes in place, the body returned (the same object
   * when unchanged), summary attributes written as configured, `changes` set.
   */
  redactLog(attrs: Attrs, body: AnyValue | undefined): AnyValue | undefined {
    const s = this.sanitizers;
    if (s !== undefined) body = s.apply(attrs, body);
    const a = this.redactAttributes(attrs);
    let out = body;
    if (body === undefined || body === null) resetCounts(this.bodyCounts);
    else out = this.redactValue(body);
    const b = this.bodyCounts;
    this.changes = a.redacted + a.masked + b.redacted + b.masked + (s?.changes ?? 0);
    if (this.summary !== 'silent') {
      this.writeSummary(attrs, a, 'redaction.');
      this.writeSummary(attrs, b, 'redaction.body.');
    }
    return out;
  }

  /** Adds the Collector's summary attributes for `counts` (merging with any already present). */
  writeSummary(attrs: Attrs, counts: RedactionCounts, prefix: 'redaction.' | 'redaction.body.'): void {
    if (this.summary === 'silent') return;
    const name = prefix === 'redaction.' ? ATTR_SUMMARY : BODY_SUMMARY;
    if (this.debug) {
      mergeKeys(attrs, name.redactedKeys, counts.redactedKeys);
      mergeKeys(attrs, name.maskedKeys, counts.maskedKeys);
    }
    addCount(attrs, name.redacted, counts.redacted);
    addCount(attrs, name.masked, counts.masked);
    addCount(attrs, name.ignored, counts.ignored);
  }

  private any(v: unknown, path: string, depth: number): unknown {
    switch (typeof v) {
      case 'string': {
        const r = this.text(v);
        if (r !== v) this.masked(path);
        return r;
      }
      case 'number':
      case 'boolean': {
        const r = this.primitive(v);
        if (r !== v) this.masked(path);
        return r;
      }
      case 'object':
        if (v === null) return v;
        if (v instanceof Uint8Array) return this.bytes(v, path);
        if (depth >= MAX_DEPTH) {
          this.masked(path);
          return this.mask('');
        }
        return Array.isArray(v)
          ? this.array(v, path, depth + 1)
          : this.map(v as Record<string, unknown>, path, depth + 1);
      default:
        return v;
    }
  }

  /** A nested map, copied on first change. */
  private map(obj: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
    const c = this.counts;
    const keys = Object.keys(obj);
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = obj[k];
      let nv = v;
      let drop = false;
      let action = this.rules.classify(k);
      if (action === KeyAction.Content && (typeof v === 'number' || typeof v === 'boolean')) action = KeyAction.Scan;
      const nk = this.keyText(k);
      switch (action) {
        case KeyAction.Scan:
          if (this.ipKeys !== undefined && typeof v === 'string' && this.ipKeys.has(k)) {
            nv = this.keepingIps(v);
            if (nv !== v) this.masked(this.debug ? join(path, k) : '');
          } else nv = this.any(v, this.debug ? join(path, k) : '', depth);
          break;
        case KeyAction.Own:
          break;
        case KeyAction.Ignore:
          c.ignored++;
          break;
        case KeyAction.Mask:
          nv = this.maskWhole(v, this.debug ? join(path, k) : '', undefined);
          break;
        case KeyAction.MaskBuiltin:
          nv = this.maskWhole(v, this.debug ? join(path, k) : '', k);
          break;
        default:
          drop = true;
          c.redacted++;
          if (this.debug) c.redactedKeys.push(join(path, k));
      }
      if (out === undefined && (drop || nv !== v || nk !== undefined)) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
      }
      if (out !== undefined && !drop) {
        if (nk === undefined) out[k] = nv;
        else {
          out[uniqueKey(out, nk)] = nv;
          this.masked(this.debug ? join(path, nk) : '');
        }
      }
    }
    return out ?? obj;
  }

  private array(arr: unknown[], path: string, depth: number): unknown[] {
    let out: unknown[] | undefined;
    let flagged = false;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      const p = this.debug ? (path === '' ? `[${i}]` : `${path}.[${i}]`) : '';
      // An argument list: the element after `--api-key` / `--password` is the secret.
      const nv = flagged ? this.maskWhole(v, p, undefined) : this.any(v, p, depth);
      flagged = this.scanner !== undefined && typeof v === 'string' && isSecretFlag(v);
      if (out === undefined && nv !== v) out = arr.slice(0, i);
      if (out !== undefined) out.push(nv);
    }
    return out ?? arr;
  }

  /** The whole value of a secret key: masked unless empty or wholly inside an allowed value. */
  /** `builtinKey`: the key, when only the built-in name rules call it a secret (then dates and PWD paths are kept). */
  private maskWhole(v: unknown, path: string, builtinKey: string | undefined): unknown {
    if (v === undefined || v === null || v === '') return v;
    if (builtinKey !== undefined && typeof v === 'string' && clearlyNotSecret(v, builtinKey)) return v;
    const text =
      typeof v === 'string'
        ? v
        : typeof v === 'object'
          ? v instanceof Uint8Array
            ? Buffer.from(v).toString('hex')
            : safeJson(v)
          : String(v);
    if (this.allowedWhole(text)) return v;
    const out = this.mask(text);
    if (out === v) return v; // already masked by an earlier pass
    this.masked(path);
    return out;
  }

  /** Bytes holding text: scanned as UTF-8 (or Latin-1 when not UTF-8), written back as bytes when masked. */
  private bytes(v: Uint8Array, path: string): Uint8Array {
    if (v.length < this.minScanned) return v;
    const buf = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    let text: string;
    let latin1 = false;
    try {
      text = UTF8.decode(v);
    } catch {
      text = buf.toString('latin1');
      latin1 = true;
    }
    const r = this.text(text);
    if (r === text) return v;
    this.masked(path);
    return new Uint8Array(Buffer.from(r, latin1 ? 'latin1' : 'utf8'));
  }

  private masked(path: string): void {
    this.counts.masked++;
    if (this.debug) this.counts.maskedKeys.push(path);
  }

  private primitive(v: number | boolean): number | boolean | string {
    // Only large integers can be card numbers; cheap enough to test every number.
    if (this.cards && typeof v === 'number' && v >= 1e12 && v < 1e19 && Number.isInteger(v)) {
      const s = String(v);
      if (isCardString(s) && !this.allowedWhole(s)) return this.mask(s);
    }
    if (this.allTypes) {
      const s = String(v);
      const r = this.str(s);
      if (r !== s) return r;
    }
    return v;
  }

  /**
   * `str(s)`, skipping strings too short to hold anything, short strings without
   * the characters an email or a `pwd=…` pair needs, and strings recently found clean
   * (each saves ~10% on the bench fixture; bench/README.md).
   */
  private text(s: string): string {
    const n = s.length;
    if (n < this.minScanned) return s;
    // With user patterns a short string goes through the cache too: a re2js search costs more than a lookup.
    if (n < SHORT_TEXT && this.shortCheck !== undefined) return this.shortCheck.shortMayMatch(s) ? this.str(s) : s;
    if (n > MAX_CACHED_LENGTH || n < 2) return this.str(s);
    const slot = this.clean.slotOf(s);
    if (this.clean.at(slot) === s) return s;
    const r = this.str(s);
    if (r === s) this.clean.set(slot, s);
    return r;
  }

  /** A string with every detected or blocked range masked; the same string when nothing was found. */
  private str(s: string): string {
    const sp = this.spans;
    sp.reset();
    if (this.scanner !== undefined && s.length >= MIN_DETECTABLE) this.scanner.scan(s, sp);
    if (!this.keyMode && (this.anyBlocked === undefined || this.anyBlocked.test(s))) {
      for (let i = 0; i < this.blocked.length; i++) this.blocked[i]!.forEachMatch(s, this.pushSpan);
    }
    if (sp.n === 0) return s;
    if (this.allowed.length > 0) this.dropAllowed(s, sp);
    if (sp.n === 0) return s;
    sp.normalize();
    let out = '';
    let pos = 0;
    for (let i = 0; i < sp.n; i++) {
      const a = sp.start[i]!;
      const b = sp.end[i]!;
      out += s.slice(pos, a) + this.mask(s.slice(a, b));
      pos = b;
    }
    return out + s.slice(pos);
  }

  /** Removes ranges lying wholly inside a match of an `allowed_values` pattern. */
  private dropAllowed(s: string, sp: Spans): void {
    this.collectAllowed(s);
    let w = 0;
    for (let i = 0; i < sp.n; i++) {
      if (!this.allowedCovers(sp.start[i]!, sp.end[i]!)) {
        sp.start[w] = sp.start[i]!;
        sp.end[w] = sp.end[i]!;
        w++;
      }
    }
    sp.n = w;
  }

  /**
   * Whether s[a, b) lies inside a match of an `allowed_values` pattern; call `collectAllowed(s)` first.
   * A binary search over the matches sorted by start: a value with thousands of finds and thousands
   * of allowed matches costs n log n, not n × m.
   */
  private allowedCovers(a: number, b: number): boolean {
    const st = this.allowSpans.start;
    let lo = 0;
    let hi = this.allowSpans.n; // the first index whose start is > a
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (st[mid]! <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.allowMaxEnd[lo - 1]! >= b;
  }

  /** Whether all of `text` is an allowed value (used for whole-value masks). */
  private allowedWhole(text: string): boolean {
    if (this.allowed.length === 0) return false;
    this.collectAllowed(text);
    return this.allowedCovers(0, text.length);
  }

  private collectAllowed(s: string): void {
    const al = this.allowSpans;
    al.reset();
    for (let i = 0; i < this.allowed.length; i++) this.allowed[i]!.forEachMatch(s, this.pushAllowed);
    al.sortByStart();
    const maxEnd = this.allowMaxEnd;
    let m = -1;
    for (let i = 0; i < al.n; i++) {
      if (al.end[i]! > m) m = al.end[i]!;
      maxEnd[i] = m;
    }
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const KEY_CACHE_LIMIT = 10_000;

/** A key not yet in `obj`: `key`, else `key#2`, `key#3`, … (two keys masked to the same text). */
function uniqueKey(obj: Record<string, unknown>, key: string): string {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return key;
  let n = 2;
  while (Object.prototype.hasOwnProperty.call(obj, `${key}#${n}`)) n++;
  return `${key}#${n}`;
}

/** `--api-key`, `--password`, `-password`: a command-line flag whose next argument is a secret. */
function isSecretFlag(v: string): boolean {
  if (v.length < 3 || v.length > 64 || v.charCodeAt(0) !== 45 || v.includes('=') || v.includes(' ')) return false;
  return isSecretName(v.replace(/^-+/, ''));
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '[unserializable]';
  }
}

/** The summary attribute names under a prefix. */
function summaryNames(prefix: 'redaction.' | 'redaction.body.') {
  return {
    redactedKeys: `${prefix}redacted.keys`,
    maskedKeys: `${prefix}masked.keys`,
    redacted: `${prefix}redacted.count`,
    masked: `${prefix}masked.count`,
    ignored: `${prefix}ignored.count`,
  };
}
// Built once: building the names per call allocated them anew.
const ATTR_SUMMARY = summaryNames('redaction.');
const BODY_SUMMARY = summaryNames('redaction.body.');

function addCount(attrs: Attrs, key: string, n: number): void {
  if (n === 0) return;
  const prev = attrs[key];
  attrs[key] = (typeof prev === 'number' ? prev : 0) + n;
}

function mergeKeys(attrs: Attrs, key: string, keys: string[]): void {
  if (keys.length === 0) return;
  const prev = attrs[key];
  const all = typeof prev === 'string' && prev !== '' ? [...prev.split(','), ...keys] : [...keys];
  attrs[key] = all.sort().join(',');
}
