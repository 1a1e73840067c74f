// Look-alikes for the DEFAULT profile (issue #12 item 4): values that resemble
// a secret but are not one, and must come out of the redaction processor
// exactly as they went in, under the same key. Each is labelled with the
// category whose detector it could fool; numbers that look like cards fail
// the Luhn check (corpus.test.ts verifies it).
import type { Category, LookAlikeSpecimen } from './model.js';

type Spec = Omit<LookAlikeSpecimen, 'category'>;
const group = (category: Category, specs: Spec[]): LookAlikeSpecimen[] => specs.map((s) => ({ category, ...s }));

const NBSP = '\u00a0';

const card = group('card', [
  {
    kind: 'Luhn-failing order id, Visa prefix',
    value: 'order 4574856965876028 shipped',
    at: ['attribute', 'body', 'event.name'],
  },
  { kind: 'Luhn-failing, spaced', value: '4980 6820 2679 5090', at: ['attribute', 'body.map'] },
  { kind: 'Luhn-failing, dashed', value: 'ref 5600-0860-2859-4401', at: ['body', 'nested'] },
  { kind: 'Luhn-failing number', key: 'order.number', value: 6011572461563749, at: ['attribute', 'body.map'] },
  { kind: 'Luhn-failing Amex-like', value: '376088595717343', at: ['scope', 'resource'] },
  { kind: 'Luhn-failing 19 digits', value: 'batch 4054830392313508627', at: ['body'] },
  { kind: 'Luhn-failing id as a map key', value: '4451408005130335', at: ['map.key'] },
  { kind: 'Unix milliseconds', key: 'event.time_ms', value: 1714553025123, at: ['attribute', 'body.map'] },
  { kind: 'Unix nanoseconds', key: 'event.time_unix_nano', value: '1714553025123456789', at: ['attribute', 'nested'] },
  { kind: 'ISBN-13', value: 'ISBN 978-0-13-468599-1', at: ['body', 'attribute'] },
  { kind: 'ISBN-13 digits', value: '9781570086792', at: ['body.map'] },
  { kind: 'amount with decimals', value: 'total 1234567890123.45 EUR', at: ['body'] },
  {
    kind: 'UUID-like numeric request id',
    key: 'request.id',
    value: '3f2b8c1e-9a4d-4e6b-8f00-100000000042',
    at: ['attribute', 'bytes'],
  },
]);

const cardFormat = group('card_format', [
  { kind: 'Luhn-failing, Mir prefix', value: '2200 5711 6252 8415', at: ['attribute', 'body'] },
  { kind: 'Luhn-failing, Troy prefix', value: '9792062200672703', at: ['attribute', 'map.key'] },
  { kind: 'Luhn-failing, dots', value: 'id 4164.6171.9995.1045', at: ['attribute', 'body'] },
  { kind: 'Luhn-failing, no-break spaces', value: `5515${NBSP}5424${NBSP}2820${NBSP}9747`, at: ['body'] },
  { kind: 'Luhn-failing, glued to a word', value: 'INV4678697631350161', at: ['attribute', 'body'] },
  { kind: 'Luhn-failing, double spaces', value: '5803  4191  6088  3875', at: ['body.map'] },
  { kind: 'version with four parts', key: 'os.build_id', value: '10.0.19045.3693', at: ['resource', 'attribute'] },
  { kind: 'dotted date-time', value: 'build 2024.05.01.1530', at: ['body', 'scope'] },
  { kind: 'semver', key: 'service.version', value: '4.19.2', at: ['resource', 'attribute'] },
  { kind: 'node version', key: 'process.runtime.version', value: 'v20.11.1', at: ['resource'] },
  { kind: 'Luhn-failing millisecond timestamp', value: '1146552515069', at: ['body'] },
  { kind: 'Luhn-failing 19-digit id', value: '1534906877845730817', at: ['attribute'] },
]);

const email = group('email', [
  { kind: '@timestamp field name', value: 'field @timestamp missing', at: ['body', 'attribute'] },
  { kind: 'npm package with version', value: 'installed @types/node@20.11.30', at: ['attribute', 'body'] },
  {
    kind: 'image digest',
    key: 'container.image.name',
    value: 'nginx@sha256:5dd5f2363be143211563a5d2e590093f517544b87e5cd13a875a8864e769dfc6',
    at: ['resource', 'attribute'],
  },
  { kind: 'mention', value: 'mention @alice in #ops', at: ['body', 'event.name'] },
  { kind: 'price at', value: 'price 3 @ 4.99 EUR', at: ['body'] },
  { kind: 'retina image file name', key: 'url.path', value: '/static/icon@2x.png', at: ['attribute', 'body'] },
  {
    kind: 'package scope as scope name',
    key: 'otel.scope.package',
    value: '@opentelemetry/instrumentation-http',
    at: ['scope'],
  },
  { kind: 'decorator', value: '@Injectable() class Billing', at: ['body'] },
]);

const emailEncoded = group('email_encoded', [
  {
    kind: 'punycode host without an email',
    key: 'url.full',
    value: 'https://xn--mnchen-3ya.de/stadtplan',
    at: ['attribute', 'body'],
  },
  { kind: 'encoded @ then a retina file', key: 'url.path', value: '/static/logo%402x.png', at: ['attribute'] },
  { kind: 'encoded @ with nothing before', value: 'q=%40here', at: ['body'] },
]);

const jwt = group('jwt', [
  {
    kind: 'Java class name',
    key: 'code.namespace',
    value: 'com.example.billing.InvoiceService',
    at: ['attribute', 'scope'],
  },
  { kind: 'dotted path with eyJ inside a word', value: 'surveyJson.fields.nameLabel', at: ['attribute', 'body'] },
  { kind: 'base64 JSON, one segment', value: 'eyJ0ZXN0IjoxfQ', at: ['attribute'] },
  { kind: 'file name with three dots', value: 'backup.2024-05-01.tar.gz', at: ['body'] },
]);

const apiKey = group('api_key', [
  {
    kind: 'UUID request id',
    key: 'request.id',
    value: '79245d7f-094c-44c7-a86d-9918ba150fa1',
    at: ['attribute', 'body', 'map.key', 'event.name'],
  },
  {
    kind: 'UUID instance id',
    key: 'service.instance.id',
    value: 'fedbf207-197d-40bf-865c-0546d42245c8',
    at: ['resource'],
  },
  { kind: 'trace id', key: 'trace_id', value: '4bf92f3577b34da6a3ce929d0e0e4736', at: ['attribute', 'body.map'] },
  {
    kind: 'traceparent header',
    key: 'http.request.header.traceparent',
    value: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    at: ['attribute', 'body'],
  },
  { kind: 'span id', key: 'span_id', value: '00f067aa0ba902b7', at: ['nested'] },
  {
    kind: 'sha256 file hash',
    key: 'file.hash.sha256',
    value: '635f4e467cf6e0e30e84c0e0b1bc4bada54fd4327d301c1dafbaef8b9a658b76',
    at: ['attribute', 'body'],
  },
  {
    kind: 'git revision',
    key: 'vcs.ref.head.revision',
    value: '643544b5e14469376274df6ae9b5d9c9db808ae6',
    at: ['resource', 'attribute'],
  },
  {
    kind: 'md5 etag',
    key: 'http.response.header.etag',
    value: '"e8bc528036e602e3e6366ed7ca8901e9"',
    at: ['attribute'],
  },
  { kind: 'hex in an etag sentence', value: 'etag mismatch f2a927aa730effd1d014956badce2fda', at: ['body'] },
  {
    kind: 'image digest',
    key: 'container.image.id',
    value: 'sha256:3429068b57e4b2ddb87c92765ffa0802b1c452db1f85c8e32541412857582daa',
    at: ['attribute', 'scope'],
  },
  {
    kind: 'container id',
    key: 'container.id',
    value: '5c962f5d9e7fc82578e807841f2f843b27b5a30e70aff3812ea45f1228c2858c',
    at: ['resource'],
  },
  {
    kind: 'sk- inside a service name',
    key: 'service.name.alias',
    value: 'task-queue-worker-7',
    at: ['attribute', 'resource'],
  },
  { kind: 'sk- inside words', value: 'risk-scoring desk-booking kiosk-mode', at: ['body'] },
  { kind: 'npm_config variable', value: 'npm_config_registry=https://registry.npmjs.org/', at: ['body'] },
  { kind: 'hf_ function name', value: 'hf_hub_download cache miss', at: ['body', 'event.name'] },
  { kind: 'Stripe object ids', value: 'pi_3PqXyZ2eZvKYlo2C1a2b3c4d for cus_Q1w2E3r4T5y6U7', at: ['attribute', 'body'] },
  { kind: 'Kubernetes pod name', key: 'k8s.pod.name', value: 'api-7d9c8b6f5-x2kqz', at: ['resource'] },
  { kind: 'Slack channel id', key: 'slack.channel', value: 'C0123ABCDEF', at: ['attribute'] },
  { kind: 'Analytics measurement id', key: 'analytics.id', value: 'G-ABC123XYZ9', at: ['attribute'] },
  {
    kind: 'base64 image',
    key: 'image.thumbnail',
    value: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    at: ['body.map'],
  },
  {
    kind: 'PEM public key',
    value: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzBq7b2pE8wX1\n-----END PUBLIC KEY-----',
    at: ['body'],
  },
  { kind: 'certificate header only', value: 'loaded -----BEGIN CERTIFICATE----- from /etc/ssl/edge.pem', at: ['body'] },
]);

const bearer = group('bearer_basic', [
  { kind: 'token_type: Bearer', value: '{"token_type":"Bearer","expires_in":3600}', at: ['body', 'attribute'] },
  {
    kind: 'WWW-Authenticate challenge',
    key: 'http.response.header.www-authenticate',
    value: 'Bearer realm="api", error="invalid_token"',
    at: ['attribute', 'body'],
  },
  { kind: 'Basic plan', value: 'Upgraded plan from Basic to Business', at: ['body', 'event.name'] },
  { kind: 'Basic authentication failed', value: 'Basic authentication failed for user 42', at: ['body'] },
  { kind: 'Bearer token missing', value: 'Bearer token missing or malformed', at: ['body', 'attribute'] },
]);

const authScheme = group('auth_scheme', [
  { kind: 'Token refresh prose', value: 'Token refresh failed after 3 retries', at: ['body'] },
  {
    kind: 'Bot in a user agent',
    key: 'user_agent.original',
    value: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    at: ['attribute', 'body'],
  },
  { kind: 'Bot detected', value: 'Bot detected: score 0.92', at: ['body'] },
  { kind: 'Digest mismatch', value: 'Digest mismatch: expected sha256:e8bc528036e602e3e6366ed7ca8901e9', at: ['body'] },
  { kind: 'Signature verified', value: 'Signature verified for webhook evt_1PqXyZ', at: ['body'] },
  { kind: 'Authorization header missing', value: 'Authorization header missing', at: ['body', 'event.name'] },
  { kind: 'auth scheme name', value: 'Auth scheme: Digest', at: ['body'] },
  { kind: 'SignedHeaders alone', value: 'X-Amz-SignedHeaders=host;x-amz-date', at: ['attribute'] },
]);

const cookie = group('cookie', [
  { kind: 'cookie consent', value: 'cookie consent accepted', at: ['body', 'event.name'] },
  { kind: 'Set-Cookie header missing', value: 'Set-Cookie header missing on /login', at: ['body'] },
  { kind: 'cookie banner', value: 'Cookie banner shown: variant=B', at: ['body'] },
  { kind: 'cookies_enabled flag', key: 'browser.cookies_enabled', value: true, at: ['attribute'] },
]);

const password = group('password', [
  { kind: 'password reset requested', value: 'password reset requested', at: ['body', 'event.name', 'attribute'] },
  { kind: 'Password changed', value: 'Password changed successfully for user 42', at: ['body'] },
  { kind: 'invalid password', value: 'invalid password for user id 42', at: ['body', 'attribute'] },
  { kind: 'password policy prose', value: 'password must be at least 12 characters', at: ['body'] },
  {
    kind: 'password_changed_at= in text',
    value: 'password_changed_at=2024-05-01T10:00:00Z',
    at: ['body', 'attribute'],
  },
  {
    kind: 'password_changed_at in JSON text',
    value: '{"password_changed_at":"2024-05-01T10:00:00Z","mfa":true}',
    at: ['body'],
  },
  { kind: 'secret rotation prose', value: 'secret rotation scheduled for 2024-06-01', at: ['body'] },
  { kind: 'event name about a password', value: 'user.password.changed', at: ['event.name'] },
  { kind: 'event name about a token', value: 'auth.token.refreshed', at: ['event.name'] },
]);

const keyName = group('key_name', [
  {
    kind: 'password_changed_at key',
    key: 'password_changed_at',
    value: '2024-05-01T10:00:00Z',
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: 'password_expires_at key',
    key: 'user.password_expires_at',
    value: '2024-08-01T00:00:00Z',
    at: ['attribute'],
  },
  {
    kind: 'password_reset_requested_at key',
    key: 'password_reset_requested_at',
    value: '2024-05-02T08:30:00Z',
    at: ['body.map'],
  },
  { kind: 'auth.method', key: 'auth.method', value: 'password', at: ['attribute'] },
  { kind: 'auth_type', key: 'auth_type', value: 'oauth2', at: ['body.map'] },
  { kind: 'author', key: 'author', value: 'Jane Austen', at: ['attribute'] },
  { kind: 'passenger_count', key: 'passenger_count', value: 3, at: ['attribute'] },
  { kind: 'bypass_cache', key: 'bypass_cache', value: true, at: ['body.map'] },
  { kind: 'compass.heading', key: 'compass.heading', value: 270, at: ['nested'] },
  { kind: 'tokenizer', key: 'tokenizer', value: 'cl100k_base', at: ['attribute'] },
  { kind: 'max_tokens', key: 'gen_ai.request.max_tokens', value: 256, at: ['attribute'] },
  { kind: 'token_count', key: 'token_count', value: 57, at: ['attribute'] },
  { kind: 'tokens_per_second', key: 'tokens_per_second', value: 31.5, at: ['attribute'] },
  { kind: 'password_policy.min_length', key: 'password_policy.min_length', value: 12, at: ['resource'] },
  { kind: 'pass_rate', key: 'test.pass_rate', value: 0.97, at: ['attribute'] },
  { kind: 'passed', key: 'test.passed', value: 42, at: ['attribute'] },
  { kind: 'session.id', key: 'session.id', value: 'sess-4821', at: ['attribute'] },
  { kind: 'token_expires_at', key: 'token_expires_at', value: '2024-05-01T11:00:00Z', at: ['attribute'] },
]);

const env = group('env_dump', [
  { kind: 'PWD=/srv/app', value: 'PWD=/srv/app', at: ['attribute', 'body', 'body.map'] },
  { kind: 'OLDPWD', value: 'OLDPWD=/home/deploy', at: ['body'] },
  {
    kind: 'environment map with PWD',
    key: 'process.environment',
    value: { PWD: '/srv/app', HOME: '/root', LANG: 'C.UTF-8' },
    at: ['attribute', 'body.map'],
  },
  { kind: 'PWD key', key: 'PWD', value: '/srv/app', at: ['resource'] },
  { kind: 'PASSWORD_MIN_LENGTH', value: 'PASSWORD_MIN_LENGTH=12', at: ['body'] },
  { kind: 'TOKEN_TTL_SECONDS', value: 'TOKEN_TTL_SECONDS=3600', at: ['body'] },
  { kind: 'PATH', value: 'PATH=/usr/local/bin:/usr/bin:/bin', at: ['body'] },
  { kind: 'SECRET_KEY_BASE not set', value: 'SECRET_KEY_BASE is not set', at: ['body'] },
  { kind: 'AUTH_PROVIDER', value: 'AUTH_PROVIDER=okta', at: ['body'] },
]);

const cli = group('cli_flag', [
  {
    kind: '--password-stdin',
    key: 'process.command_line',
    value: 'docker login --password-stdin registry.example.com',
    at: ['attribute', 'body'],
  },
  {
    kind: 'pytest -k with password in the name',
    key: 'process.command_line',
    value: 'pytest --tb=short -k test_password_reset',
    at: ['attribute'],
  },
  {
    kind: 'kubectl create secret',
    key: 'process.command_line',
    value: 'kubectl create secret generic db --from-file=./db.env',
    at: ['attribute', 'body'],
  },
  { kind: 'useradd --disabled-password', value: 'useradd --disabled-password deploy', at: ['body'] },
  {
    kind: 'argv with --token-ttl',
    key: 'process.command_args',
    value: ['node', 'server.js', '--port', '8080', '--token-ttl', '3600'],
    at: ['attribute'],
  },
]);

const serialised = group('serialised', [
  {
    kind: 'SQL selecting password_hash',
    key: 'db.query.text',
    value: 'SELECT id, password_hash FROM users WHERE id = 42',
    at: ['attribute', 'body'],
  },
  {
    kind: 'SQL setting password_changed_at',
    key: 'db.query.text',
    value: 'UPDATE users SET password_changed_at = NOW() WHERE id = 7',
    at: ['attribute'],
  },
  {
    kind: 'SQL role without a password',
    key: 'db.query.text',
    value: 'ALTER ROLE app WITH LOGIN CONNECTION LIMIT 10',
    at: ['attribute'],
  },
  { kind: 'XML password policy', value: '<passwordPolicy minLength="12" requireDigit="true"/>', at: ['body'] },
  { kind: 'PHP print_r count', value: 'Array\n(\n    [password_reset_count] => 3\n)\n', at: ['body'] },
  { kind: 'Ruby hash with a timestamp', value: '{"password_changed_at"=>"2024-05-01"}', at: ['body'] },
]);

const url = group('url_credentials', [
  {
    kind: 'postgres URL without credentials',
    key: 'db.connection_string',
    value: 'postgres://db.internal:5432/orders',
    at: ['attribute', 'body'],
  },
  {
    kind: 'https URL with a query',
    key: 'url.full',
    value: 'https://api.example.com/v1/users?page=2&per_page=50',
    at: ['attribute', 'body'],
  },
  { kind: 'redis URL', key: 'db.connection_string', value: 'redis://cache.internal:6379/0', at: ['resource'] },
  { kind: 'amqp vhost', key: 'messaging.url', value: 'amqp://rabbitmq.internal:5672/%2F', at: ['attribute'] },
  {
    kind: '@ in a map path',
    key: 'url.full',
    value: 'https://maps.example.com/@51.5074,-0.1278,12z',
    at: ['attribute'],
  },
  {
    kind: 'mongodb without credentials',
    key: 'db.connection_string',
    value: 'mongodb://10.20.30.40:27017/?replicaSet=rs0',
    at: ['attribute', 'nested'],
  },
  { kind: 'IPv6 host with a port', key: 'url.full', value: 'http://[2001:db8::1]:8080/health', at: ['attribute'] },
  { kind: 'colon in a query', value: 'https://example.com/login?next=/account:settings', at: ['body'] },
  { kind: 'upstream address in text', value: 'upstream 10.20.30.40:8080 timed out', at: ['body'] },
  { kind: 'client.address (IPv4)', key: 'client.address', value: '203.0.113.7', at: ['attribute'] },
  { kind: 'client.address (IPv6)', key: 'client.address', value: '2001:db8::8a2e:370:7334', at: ['attribute'] },
  { kind: 'ssh user@ip', value: 'ssh deploy@10.0.0.5 -p 2222', at: ['body'] },
  {
    kind: 'JDBC URL with a user but no password',
    key: 'db.connection_string',
    value: 'jdbc:postgresql://db:5432/app?user=app&ssl=true',
    at: ['attribute'],
  },
  { kind: 'server.address', key: 'server.address', value: '10.20.30.40', at: ['attribute', 'resource'] },
]);

const content = group('content', [
  {
    kind: 'llm.token_count.prompt',
    key: 'llm.token_count.prompt',
    value: 123,
    at: ['attribute', 'body.map', 'nested'],
  },
  { kind: 'llm.token_count.completion', key: 'llm.token_count.completion', value: 45, at: ['attribute', 'body.map'] },
  { kind: 'llm.token_count.total', key: 'llm.token_count.total', value: 168, at: ['attribute'] },
  { kind: 'gen_ai.usage.input_tokens', key: 'gen_ai.usage.input_tokens', value: 812, at: ['attribute'] },
  { kind: 'gen_ai.usage.output_tokens', key: 'gen_ai.usage.output_tokens', value: 96, at: ['attribute'] },
  { kind: 'prompt_tokens', key: 'prompt_tokens', value: 100, at: ['body.map'] },
  { kind: 'completion_tokens', key: 'completion_tokens', value: 20, at: ['nested'] },
  { kind: 'http.request.body.size', key: 'http.request.body.size', value: 512, at: ['attribute'] },
  { kind: 'http.response.body.size', key: 'http.response.body.size', value: 2048, at: ['attribute'] },
  { kind: 'gen_ai.tool.name', key: 'gen_ai.tool.name', value: 'get_weather', at: ['attribute'] },
  { kind: 'gen_ai.tool.call.id', key: 'gen_ai.tool.call.id', value: 'call_9x8y7z', at: ['attribute'] },
  {
    kind: 'llm.invocation_parameters',
    key: 'llm.invocation_parameters',
    value: '{"temperature":0.2,"max_tokens":256}',
    at: ['attribute'],
  },
  {
    kind: 'usage JSON string',
    key: 'llm.usage',
    value: '{"prompt_tokens":123,"completion_tokens":45,"total_tokens":168}',
    at: ['attribute', 'body'],
  },
  { kind: 'gen_ai.response.model', key: 'gen_ai.response.model', value: 'gpt-4o-2024-08-06', at: ['attribute'] },
  { kind: 'llm.prompt_template.version', key: 'llm.prompt_template.version', value: '1.4', at: ['attribute'] },
  { kind: 'GenAI event name gen_ai.content.prompt', value: 'gen_ai.content.prompt', at: ['event.name'] },
  { kind: 'GenAI event name gen_ai.user.message', value: 'gen_ai.user.message', at: ['event.name'] },
  { kind: 'GenAI event name gen_ai.choice', value: 'gen_ai.choice', at: ['event.name'] },
  {
    kind: 'GenAI event name operation details',
    value: 'gen_ai.client.inference.operation.details',
    at: ['event.name'],
  },
  { kind: 'chat_history.turns', key: 'chat_history.turns', value: 6, at: ['attribute'] },
  { kind: 'request completed body', value: 'Request completed', at: ['body'] },
  { kind: 'prompt cache prose', value: 'prompt cache hit ratio 0.82', at: ['body'] },
  { kind: 'tool_call.function.name', key: 'tool_call.function.name', value: 'lookup_order', at: ['attribute'] },
]);

export const LOOK_ALIKE_SPECIMENS: readonly LookAlikeSpecimen[] = [
  ...card,
  ...cardFormat,
  ...email,
  ...emailEncoded,
  ...jwt,
  ...apiKey,
  ...bearer,
  ...authScheme,
  ...cookie,
  ...password,
  ...keyName,
  ...env,
  ...cli,
  ...serialised,
  ...url,
  ...content,
];
