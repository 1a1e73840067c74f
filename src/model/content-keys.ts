// Keys that carry prompt or response content. The privacy-first design of the
// request audit (docs/sqlite-schema.md) never stores them; components
// that persist or stream records drop them defensively even when the redaction
// processor was not configured. Matching is on a key's last dotted segment, so
// `gen_ai.prompt` and `gen_ai.input.messages` match while
// `gen_ai.usage.input_tokens` and `http.response.status_code` do not.

const CONTENT_SEGMENTS = new Set([
  'prompt',
  'prompts',
  'response',
  'responses',
  'completion',
  'completions',
  'messages',
  'input',
  'output',
  'content',
  'contents',
  'system_instructions',
]);

const cache = new Map<string, boolean>();
const CACHE_LIMIT = 10_000;

/** True when an attribute or map key names prompt/response content. */
export function isContentKey(key: string): boolean {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const dot = key.lastIndexOf('.');
  const seg = (dot < 0 ? key : key.slice(dot + 1)).toLowerCase();
  const result = CONTENT_SEGMENTS.has(seg);
  // Attribute key spaces are small; the bound only guards against unbounded dynamic keys.
  if (cache.size < CACHE_LIMIT) cache.set(key, result);
  return result;
}

/**
 * A JSON.stringify replacer that removes content keys from nested maps and
 * turns byte arrays into base64. Returns the same value when nothing applies.
 */
export function contentFreeReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key !== '' && !Array.isArray(this) && isContentKey(key)) return undefined;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** JSON of any attribute value with content keys removed at every depth. */
export function contentFreeJson(value: unknown): string {
  return JSON.stringify(value, contentFreeReplacer) ?? 'null';
}
