// Key-value store commands for `db_sanitizer.redis`, `.valkey` and
// `.memcached`: what identifies the operation stays, the data goes.

/** Commands whose second word is a subcommand (`CONFIG GET`, `CLIENT KILL`), kept with it. */
const CONTAINERS = new Set([
  'ACL',
  'CLIENT',
  'CLUSTER',
  'COMMAND',
  'CONFIG',
  'DEBUG',
  'FUNCTION',
  'LATENCY',
  'MEMORY',
  'MODULE',
  'OBJECT',
  'PUBSUB',
  'SCRIPT',
  'SLOWLOG',
  'XGROUP',
  'XINFO',
]);

/** Redis/Valkey: each command (one per line) keeps its name and subcommand; arguments become one `?`. */
export function obfuscateRedis(text: string): string {
  return text
    .split('\n')
    .map(redisLine)
    .filter((l) => l !== '')
    .join('\n');
}

function redisLine(line: string): string {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return '';
  const name = words[0]!.toUpperCase();
  const kept = CONTAINERS.has(name) && words.length > 1 ? 2 : 1;
  const head = words.slice(0, kept).join(' ');
  return words.length > kept ? `${head} ?` : head;
}

/** Memcached: the command line stays (`set key 0 60 5`); the data block after it goes. */
export function obfuscateMemcached(text: string): string {
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).trim();
}
