// Planted secrets for the DEFAULT profile (`redaction: {}`), issue #12 item 4.
// Every value here is made up for this corpus: card numbers are generated
// Luhn-valid numbers, keys and tokens are random strings in the vendors'
// published shapes. Each specimen is planted once per place in `at`; see
// model.ts for what a place is and README.md for how cases are scored.
import type { Category, SecretSpecimen } from './model.js';

type Spec = Omit<SecretSpecimen, 'category'>;
const group = (category: Category, specs: Spec[]): SecretSpecimen[] => specs.map((s) => ({ category, ...s }));

const NBSP = '\u00a0';
const NNBSP = '\u202f';

// ---------------------------------------------------------------- promised before issue #12

const email = group('email', [
  {
    kind: 'in a sentence',
    key: 'user.note',
    value: 'Invite sent to grace.h@example.com today',
    secrets: ['grace.h@example.com'],
    keep: ['Invite sent to', 'today'],
    at: ['attribute', 'body', 'scope', 'bytes', 'nested'],
  },
  {
    kind: 'plus tag, subdomains',
    key: 'enduser.contact',
    value: 'grace.h+billing@mail.example.co.uk',
    secrets: ['grace.h+billing@mail.example.co.uk'],
    at: ['resource', 'attribute', 'body.map', 'nested'],
  },
  { kind: 'as a map key', value: 'ops-oncall@example.org', secrets: ['ops-oncall@example.org'], at: ['map.key'] },
  {
    kind: 'in an event name',
    value: 'signup.confirmed:mara.lopez@example.net',
    secrets: ['mara.lopez@example.net'],
    keep: ['signup.confirmed:'],
    at: ['event.name', 'attribute'],
  },
  {
    kind: 'display-name header',
    value: 'From: "Lee, Ann" <ann.lee@corp.example.com>',
    secrets: ['ann.lee@corp.example.com'],
    keep: ['From: "Lee, Ann" <'],
    at: ['body', 'attribute', 'body.map'],
  },
  {
    kind: 'two in a list',
    value: 'CC list: a.one@example.com, b.two@example.com',
    secrets: ['a.one@example.com', 'b.two@example.com'],
    keep: ['CC list:'],
    at: ['body', 'nested'],
  },
  {
    kind: 'upper case, key=value',
    value: 'user=JOHN.DOE@EXAMPLE.COM action=login',
    secrets: ['JOHN.DOE@EXAMPLE.COM'],
    keep: ['user=', 'action=login'],
    at: ['attribute', 'body', 'event.name'],
  },
  {
    kind: 'inside JSON text',
    value: '{"email":"p.k@example.io","plan":"pro"}',
    secrets: ['p.k@example.io'],
    keep: ['"plan":"pro"'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'long TLD',
    value: 'contact: support-team@subdomain.example.travel',
    secrets: ['support-team@subdomain.example.travel'],
    keep: ['contact:'],
    at: ['resource', 'scope'],
  },
]);

const card = group('card', [
  {
    kind: 'Visa, spaces, in text',
    key: 'payment.note',
    value: 'charged card 4196 9953 0980 4612 for order 7781',
    secrets: ['4196 9953 0980 4612'],
    keep: ['charged card', 'for order 7781'],
    at: ['attribute', 'body', 'body.map', 'scope', 'bytes'],
  },
  {
    kind: 'Mastercard, dashes',
    key: 'payment.card',
    value: '5167-7994-2135-2340',
    secrets: ['5167-7994-2135-2340'],
    at: ['attribute', 'resource', 'nested'],
  },
  {
    kind: 'Mastercard as a number',
    key: 'billing.ref',
    value: 5362348283396061,
    secrets: ['5362348283396061'],
    at: ['attribute', 'body.map', 'nested', 'body'],
  },
  {
    kind: 'Amex 4-6-5',
    value: 'amex 3428 299603 28986 exp 04/27',
    secrets: ['3428 299603 28986'],
    keep: ['amex', 'exp 04/27'],
    at: ['body', 'attribute', 'event.name'],
  },
  {
    kind: 'Discover after =',
    value: 'card=6011343274185493;',
    secrets: ['6011343274185493'],
    keep: ['card='],
    at: ['attribute', 'map.key'],
  },
  {
    kind: 'JCB',
    value: 'JCB 3530 7699 8429 4200',
    secrets: ['3530 7699 8429 4200'],
    keep: ['JCB'],
    at: ['body', 'resource'],
  },
  {
    kind: 'Diners 14 digits',
    value: 'diners 3693-928601-8012',
    secrets: ['3693-928601-8012'],
    keep: ['diners'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'UnionPay 19 digits',
    value: 'unionpay 6293141659810987378 approved',
    secrets: ['6293141659810987378'],
    keep: ['unionpay', 'approved'],
    at: ['body', 'nested', 'bytes'],
  },
  {
    kind: 'Maestro in an event name',
    value: 'refund:6759045892430781',
    secrets: ['6759045892430781'],
    keep: ['refund:'],
    at: ['event.name', 'attribute'],
  },
  {
    kind: 'Mastercard 2-series',
    value: '2223 8336 0658 3749',
    secrets: ['2223 8336 0658 3749'],
    at: ['body.map', 'scope'],
  },
  {
    kind: 'Visa 13 digits',
    value: 'old card 4438069458592',
    secrets: ['4438069458592'],
    keep: ['old card'],
    at: ['attribute', 'body'],
  },
  { kind: 'Visa 19 digits', value: '4360327078566670606', secrets: ['4360327078566670606'], at: ['body'] },
]);

const JWT1 =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzQ4MjEzIiwiZXhwIjoxNzM1Njg5NjAwLCJzY29wZSI6Im9yZGVyczpyZWFkIn0.xQpubfoxFaCceDIB6f3r-mbLF9wMlwzyFJD0ZWK8P4B';
const JWT2 =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6Ims3In0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJzdWIiOiJzdmMtYmlsbGluZyIsImF1ZCI6ImFwaSJ9.1i1Sj9KyJCsG6q_k99lLZgUegnVH_8dtBAyhuB-mmlt';
const JWT3 = 'eyJhbGciOiJFUzI1NiJ9.eyJzaWQiOiI5ZjJjIiwicm9sZSI6ImFkbWluIn0.EZ-4NZbErJTGFCVjFe1dV6HtJWIr67sWdgn1y9v6QES';
const JWT4 =
  'eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJ1aWQiOjc3LCJuYW1lIjoiUmF2aSJ9.hftRRxZh10f17MLlHg8HOZkf_kfsz2Ho_F8GHLgzYs3';
const JWE =
  'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.BCoRxVPS50BRWmp0FYLNZgw50g_4SpWdjw3UX2ec2F5xoeFQiGZQVi6iOSdOSU1bwd8SSdNB1PSLFcG3ua4BWi.viCZRLJ7EohoI7WV.734YOjcdOAEK-QO8DkBU4ZBIY3AA3vEE_nLW1lcULc1REk1Beaep8qPOSt2n.gZUHVhMeTlwHMFoV9riuns';

const jwt = group('jwt', [
  {
    kind: 'after jwt=',
    value: `session jwt=${JWT1} refreshed`,
    secrets: [JWT1],
    keep: ['session jwt=', 'refreshed'],
    at: ['attribute', 'body', 'body.map', 'bytes'],
  },
  {
    kind: 'bare value',
    key: 'auth.session_jwt',
    value: JWT2,
    secrets: [JWT2],
    at: ['attribute', 'resource', 'nested', 'scope'],
  },
  {
    kind: 'JWE, five segments',
    value: `encrypted id ${JWE}`,
    secrets: [JWE],
    keep: ['encrypted id'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'in a URL fragment',
    key: 'url.full',
    value: `https://app.example.com/callback#id_token=${JWT3}&state=xyz`,
    secrets: [JWT3],
    keep: ['https://app.example.com/callback', 'state=xyz'],
    at: ['attribute', 'body'],
  },
  { kind: 'as a map key', value: JWT4, secrets: [JWT4], at: ['map.key'] },
  {
    kind: 'in an event name',
    value: `token.issued:${JWT4}`,
    secrets: [JWT4],
    keep: ['token.issued:'],
    at: ['event.name'],
  },
]);

const bearer = group('bearer_basic', [
  {
    kind: 'Bearer in a header dump',
    key: 'http.request.headers',
    value: 'Authorization: Bearer q8Zr4TnV2mXw9LpK7sYd',
    secrets: ['q8Zr4TnV2mXw9LpK7sYd'],
    keep: ['Authorization:'],
    at: ['attribute', 'body', 'body.map', 'nested'],
  },
  {
    kind: 'Bearer under the authorization key',
    key: 'http.request.header.authorization',
    value: 'Bearer kXECpcoYlyK6Yo7MVUPZH4XSKWYLH5qO',
    secrets: ['kXECpcoYlyK6Yo7MVUPZH4XSKWYLH5qO'],
    at: ['attribute', 'resource', 'scope'],
  },
  {
    kind: 'Basic in a curl command',
    key: 'process.command_line',
    value: 'curl -H "Authorization: Basic YWRtaW46czNjcjN0LVBhc3M=" https://api.example.com/v1/jobs',
    secrets: ['YWRtaW46czNjcjN0LVBhc3M='],
    keep: ['curl -H', 'https://api.example.com/v1/jobs'],
    at: ['attribute', 'body', 'bytes'],
  },
  {
    kind: 'Basic in prose',
    value: 'proxy auth Basic c3ZjLWJhY2t1cDpXcTkhenotNzE= accepted',
    secrets: ['c3ZjLWJhY2t1cDpXcTkhenotNzE='],
    keep: ['proxy auth', 'accepted'],
    at: ['body', 'event.name'],
  },
  {
    kind: 'lower-case bearer in JSON text',
    value: '{"headers":{"authorization":"bearer ya29.A0ARrdaM-q7Zk3vL9xW2pN4"},"path":"/v1/me"}',
    secrets: ['ya29.A0ARrdaM-q7Zk3vL9xW2pN4'],
    keep: ['"headers"', '"path":"/v1/me"'],
    at: ['body', 'attribute'],
  },
]);

const apiKey = group('api_key', [
  {
    kind: 'OpenAI project key',
    value: 'using key sk-proj-dJYBhVA5KMSvdq2QBPy4cI8RWjFpMwln for batch 7',
    secrets: ['sk-proj-dJYBhVA5KMSvdq2QBPy4cI8RWjFpMwln'],
    keep: ['using key', 'for batch 7'],
    at: ['attribute', 'body', 'scope', 'nested'],
  },
  {
    kind: 'Anthropic key',
    value: 'sk-ant-api03-IcvbFV8l7qb6UBx6Joa8WaIcw48xOHENpy4zV1nk-AA',
    secrets: ['sk-ant-api03-IcvbFV8l7qb6UBx6Joa8WaIcw48xOHENpy4zV1nk-AA'],
    at: ['body.map', 'resource'],
  },
  {
    kind: 'Stripe live secret',
    value: 'stripe client init with sk_live_o1H6C6HqoinXFB5y58zl0soO ok',
    secrets: ['sk_live_o1H6C6HqoinXFB5y58zl0soO'],
    keep: ['stripe client init with', 'ok'],
    at: ['attribute', 'body', 'bytes'],
  },
  {
    kind: 'Stripe restricted',
    value: 'stripe.key.rotated:rk_test_7ZKk9y7hr03qmT2nlBUck2Fg',
    secrets: ['rk_test_7ZKk9y7hr03qmT2nlBUck2Fg'],
    keep: ['stripe.key.rotated:'],
    at: ['event.name', 'attribute'],
  },
  {
    kind: 'Stripe webhook secret',
    value: 'whsec_vYyMiE5DPQoYFatho9Q3fymPw1Sy',
    secrets: ['whsec_vYyMiE5DPQoYFatho9Q3fymPw1Sy'],
    at: ['nested', 'body.map'],
  },
  {
    kind: 'AWS access key id',
    value: 'aws key AKIAKBRL2G4KOO3HX5YC loaded',
    secrets: ['AKIAKBRL2G4KOO3HX5YC'],
    keep: ['aws key', 'loaded'],
    at: ['attribute', 'body', 'resource'],
  },
  {
    kind: 'AWS temporary key id',
    value: 'ASIAPPK6MKI3LVID7W7V',
    secrets: ['ASIAPPK6MKI3LVID7W7V'],
    at: ['scope', 'map.key'],
  },
  {
    kind: 'GitHub classic token',
    value: 'git push with ghp_Y1U0AxnuzldlQuMnDOuZLZtpAJnhRdaygJuu failed',
    secrets: ['ghp_Y1U0AxnuzldlQuMnDOuZLZtpAJnhRdaygJuu'],
    keep: ['git push with', 'failed'],
    at: ['attribute', 'body', 'bytes'],
  },
  {
    kind: 'GitHub fine-grained token',
    value: 'github_pat_11ABCDE2Y0Jq1LNbOvhscZ_jSOYvJ6WJhSgaSvdE09e4KjoLBkS',
    secrets: ['github_pat_11ABCDE2Y0Jq1LNbOvhscZ_jSOYvJ6WJhSgaSvdE09e4KjoLBkS'],
    at: ['nested'],
  },
  {
    kind: 'GitHub OAuth token',
    value: 'gho_raWyTehZg8mmluqG40sEX831mZOMEPI6yQPl',
    secrets: ['gho_raWyTehZg8mmluqG40sEX831mZOMEPI6yQPl'],
    at: ['body.map'],
  },
  {
    kind: 'GitLab token',
    value: 'CI token glpat-kR7ziS2u88KxKJScXwi4',
    secrets: ['glpat-kR7ziS2u88KxKJScXwi4'],
    keep: ['CI token'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'Slack bot token',
    value: 'slack xoxb-2758193046-4410283746512-ZpB7mOWXj1BG2BnpR7HKWeRJ',
    secrets: ['xoxb-2758193046-4410283746512-ZpB7mOWXj1BG2BnpR7HKWeRJ'],
    keep: ['slack'],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: 'Google API key',
    value: 'AIzaSyBsBfGpxOMoeRdhREVhweaknCGuDTGok9I',
    secrets: ['AIzaSyBsBfGpxOMoeRdhREVhweaknCGuDTGok9I'],
    at: ['attribute', 'map.key'],
  },
  {
    kind: 'Hugging Face token',
    value: 'hf_xoyTka2mKEGo8SEJYwbHePwk7faC2GWhyA in use',
    secrets: ['hf_xoyTka2mKEGo8SEJYwbHePwk7faC2GWhyA'],
    keep: ['in use'],
    at: ['body', 'nested'],
  },
  {
    kind: 'npm token in .npmrc line',
    value: '//registry.npmjs.org/:_authToken=npm_sFZfv0gxyVwW1W3xIqkM4qtvE34VBNBYab12',
    secrets: ['npm_sFZfv0gxyVwW1W3xIqkM4qtvE34VBNBYab12'],
    keep: ['//registry.npmjs.org/'],
    at: ['attribute', 'resource'],
  },
  {
    kind: 'SendGrid key',
    value: 'mailer key 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',
    secrets: ['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'],
    keep: ['mailer key'],
    at: ['body', 'body.map'],
  },
  {
    kind: 'PEM RSA private key, complete',
    key: 'tls.material',
    value:
      '-----BEGIN RSA PRIVATE KEY-----\n8Sf0Htk2H/ktaUs70NiQEXVPlHqy+SmHx7S7Va1gjZv/9s2pxjvggo/Ng93+g4Nz\nmbh9UapwaZYSIXL8liXIC7RVFy1U4hfA4yTshZ/SPESy2dKbzUnpGBEg5gR9Y15o\n7xFQDnj+pgAlaGj3o1wDrVO+FqjqbiDFXJn/wV1SZ94Sds6SJi859Hp4MJ4D+5h3\nLjCbGS8lY6WrsD5oUK70G1FkPeX4W480rqr5MI6PNi9xiHt2vZ0eWgG2btDReB8V\n-----END RSA PRIVATE KEY-----\n',
    secrets: [
      '8Sf0Htk2H/ktaUs70NiQEXVPlHqy+SmHx7S7Va1gjZv/9s2pxjvggo/Ng93+g4Nz\nmbh9UapwaZYSIXL8liXIC7RVFy1U4hfA4yTshZ/SPESy2dKbzUnpGBEg5gR9Y15o\n7xFQDnj+pgAlaGj3o1wDrVO+FqjqbiDFXJn/wV1SZ94Sds6SJi859Hp4MJ4D+5h3\nLjCbGS8lY6WrsD5oUK70G1FkPeX4W480rqr5MI6PNi9xiHt2vZ0eWgG2btDReB8V',
    ],
    at: ['body', 'attribute', 'body.map'],
  },
]);

const password = group('password', [
  {
    kind: 'password= in a sentence',
    value: 'connecting as app with password=Hunter2-Blue!x to db',
    secrets: ['Hunter2-Blue!x'],
    keep: ['connecting as app with', 'password=', 'to db'],
    at: ['attribute', 'body', 'body.map', 'scope', 'bytes'],
  },
  {
    kind: 'db_password: in YAML text',
    value: 'db_host: pg1\ndb_password: Pg-pass-7781q\ndb_port: 5432',
    secrets: ['Pg-pass-7781q'],
    keep: ['db_host: pg1', 'db_password:', 'db_port: 5432'],
    at: ['body', 'nested'],
  },
  {
    kind: '"api_key" in JSON text',
    value: '{"user":"svc","api_key":"CDMcgfd0Fnge7ldq8ZQC3IcXSQd898H8"}',
    secrets: ['CDMcgfd0Fnge7ldq8ZQC3IcXSQd898H8'],
    keep: ['"user":"svc"', '"api_key"'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'access_token= in a query string',
    value: 'access_token=lLAp3SqNQ4ssZwug2sfi6vHH10DTcYI6&expires_in=3600',
    secrets: ['lLAp3SqNQ4ssZwug2sfi6vHH10DTcYI6'],
    keep: ['access_token=', 'expires_in=3600'],
    at: ['attribute', 'body', 'event.name'],
  },
  {
    kind: 'user.password key',
    key: 'user.password',
    value: 'correct-horse-battery-9',
    secrets: ['correct-horse-battery-9'],
    at: ['attribute', 'resource', 'scope', 'nested', 'body.map'],
  },
  {
    kind: 'X-Api-Key key',
    key: 'X-Api-Key',
    value: 'YgCtVKJtfn8wW5sJ56ZHUt28mI27UIAq',
    secrets: ['YgCtVKJtfn8wW5sJ56ZHUt28mI27UIAq'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'accessToken key',
    key: 'accessToken',
    value: 'iZvZvZevooJZmyWTylUr7cjSksKvAb1L',
    secrets: ['iZvZvZevooJZmyWTylUr7cjSksKvAb1L'],
    at: ['nested', 'body.map'],
  },
  {
    kind: 'client_secret key',
    key: 'oauth.client_secret',
    value: '1uVcAvXAHRIbYukBBq64grZreUvzTcIB',
    secrets: ['1uVcAvXAHRIbYukBBq64grZreUvzTcIB'],
    at: ['resource', 'attribute'],
  },
  {
    kind: 'passphrase= with &',
    value: 'gpg --batch passphrase=Tr0ub4dor&3x',
    secrets: ['Tr0ub4dor&3x'],
    keep: ['gpg --batch'],
    at: ['body'],
  },
  {
    kind: '"secret" JSON value with spaces',
    value: '{"secret": "my dog has fleas 42", "rotate": false}',
    secrets: ['my dog has fleas 42'],
    keep: ['"rotate": false'],
    at: ['body', 'attribute'],
  },
]);

// ---------------------------------------------------------------- new in issue #12

const url = group('url_credentials', [
  {
    kind: 'postgres, # and ! in password',
    key: 'db.connection_string',
    value: 'postgres://app:Pa55#word!x@db.internal:5432/orders?sslmode=require',
    secrets: ['Pa55#word!x'],
    keep: ['postgres://', 'db.internal:5432/orders', 'sslmode=require'],
    at: ['attribute', 'body', 'resource', 'scope', 'nested'],
  },
  {
    kind: 'postgresql, IP host',
    key: 'db.connection_string',
    value: 'postgresql://report_ro:q7Rz!mK2pW@10.0.4.17:6432/analytics',
    secrets: ['q7Rz!mK2pW'],
    keep: ['postgresql://', '10.0.4.17:6432/analytics'],
    at: ['attribute', 'body.map', 'bytes'],
  },
  {
    kind: 'mongodb, IP host, # in password',
    key: 'db.connection_string',
    value: 'mongodb://admin:M0ng0#Adm1n@10.20.30.40:27017/audit?authSource=admin',
    secrets: ['M0ng0#Adm1n'],
    keep: ['mongodb://', '10.20.30.40:27017/audit', 'authSource=admin'],
    at: ['attribute', 'body', 'nested', 'scope'],
  },
  {
    kind: 'mongodb+srv',
    key: 'db.connection_string',
    value: 'mongodb+srv://svc:Srv!Pass-2024@cluster0.ab1cd.mongodb.net/prod?retryWrites=true',
    secrets: ['Srv!Pass-2024'],
    keep: ['mongodb+srv://', 'cluster0.ab1cd.mongodb.net/prod', 'retryWrites=true'],
    at: ['attribute', 'body.map', 'resource'],
  },
  {
    kind: 'amqp guest on localhost',
    key: 'messaging.url',
    value: 'amqp://guest:Gu3st!Rabbit@localhost:5672/%2F',
    secrets: ['Gu3st!Rabbit'],
    keep: ['amqp://', 'localhost:5672/%2F'],
    at: ['attribute', 'body', 'map.key'],
  },
  {
    kind: 'amqps with # in password',
    value: 'amqps://worker:w0rk#er-77@mq.example.net/jobs',
    secrets: ['w0rk#er-77'],
    keep: ['amqps://', 'mq.example.net/jobs'],
    at: ['body', 'nested'],
  },
  {
    kind: 'redis, password only',
    value: 'redis://:R3dis!only-pass@cache.internal:6379/0',
    secrets: ['R3dis!only-pass'],
    keep: ['redis://', 'cache.internal:6379/0'],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: 'mysql on 127.0.0.1',
    value: 'mysql://root:My#Sql!99@127.0.0.1:3306/shop',
    secrets: ['My#Sql!99'],
    keep: ['mysql://', '127.0.0.1:3306/shop'],
    at: ['attribute', 'resource', 'bytes'],
  },
  {
    kind: 'https git remote',
    key: 'vcs.repository.url.full',
    value: 'https://deploy:gh0st-Pass1@git.example.com/org/repo.git',
    secrets: ['gh0st-Pass1'],
    keep: ['https://', 'git.example.com/org/repo.git'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'ftp',
    value: 'ftp://backup:bk!up-2024@files.example.org/nightly/',
    secrets: ['bk!up-2024'],
    keep: ['ftp://', 'files.example.org/nightly/'],
    at: ['body'],
  },
  {
    kind: 'in a log line',
    value: 'Connecting to postgres://app:S3cure!Pg@db-primary:5432/app (attempt 2)',
    secrets: ['S3cure!Pg'],
    keep: ['Connecting to', 'postgres://', 'db-primary:5432/app', '(attempt 2)'],
    at: ['body', 'attribute', 'body.map'],
  },
  {
    kind: 'DATABASE_URL line',
    value: 'DATABASE_URL=postgres://u:pw!x9Zq@pg.example.com/db',
    secrets: ['pw!x9Zq'],
    keep: ['DATABASE_URL=', 'postgres://', 'pg.example.com/db'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'URL-encoded password with %40',
    key: 'url.full',
    value: 'https://user:p%40ss%23word@api.example.com/v2/items',
    secrets: ['p%40ss%23word'],
    keep: ['https://', 'api.example.com/v2/items'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'sftp',
    value: 'sftp://alice:0penS3same@10.1.2.3:22/upload',
    secrets: ['0penS3same'],
    keep: ['sftp://', '10.1.2.3:22/upload'],
    at: ['nested', 'scope'],
  },
]);

const DIGEST =
  'Digest username="ops", realm="api", nonce="4b11bf2a3e113bab6ba4bc7eb2c9683e", uri="/v1/export", qop=auth, nc=00000001, cnonce="0a4f113b", response="5eac53e77b37605449ab09165f749011", opaque="0615b1551460127e"';
const SIGV4 =
  'AWS4-HMAC-SHA256 Credential=AKIAAOOPCS7WKBZPWR23/20240501/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0f3b2fa3bffce0f2f8f35573c2935534df762cb81d60849cb23490e89d10cb13';

const authScheme = group('auth_scheme', [
  {
    kind: 'Digest response=',
    key: 'http.request.headers',
    value: `Authorization: ${DIGEST}`,
    secrets: ['5eac53e77b37605449ab09165f749011'],
    keep: ['Authorization:'],
    at: ['attribute', 'body', 'body.map', 'nested'],
  },
  {
    kind: 'Token (Django REST)',
    key: 'http.request.headers',
    value: 'Authorization: Token f1d3b5259722357a23b722636f0a1554914d9eb3',
    secrets: ['f1d3b5259722357a23b722636f0a1554914d9eb3'],
    keep: ['Authorization:'],
    at: ['attribute', 'body', 'scope', 'bytes'],
  },
  {
    kind: 'Bot (Discord)',
    value: 'Authorization: Bot MmrT67pXajuylwi9iKTss9JlbN.Hu1_hB.582tWCBD4Kkcw9OhU-cLJr18jlTaxorCbkM7OR',
    secrets: ['MmrT67pXajuylwi9iKTss9JlbN.Hu1_hB.582tWCBD4Kkcw9OhU-cLJr18jlTaxorCbkM7OR'],
    keep: ['Authorization:'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'AWS SigV4 Signature=',
    key: 'http.request.headers',
    value: `Authorization: ${SIGV4}`,
    secrets: ['0f3b2fa3bffce0f2f8f35573c2935534df762cb81d60849cb23490e89d10cb13'],
    keep: ['Authorization:'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'presigned URL X-Amz-Signature=',
    key: 'url.full',
    value:
      'https://bucket.s3.eu-west-1.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAU2SP3MNGASFANW5E%2F20240501%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240501T101500Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=8cb50e4538b4a2e03928b61a4df73e01591d126f2e445b3a6ea74f9edf21857c',
    secrets: ['8cb50e4538b4a2e03928b61a4df73e01591d126f2e445b3a6ea74f9edf21857c'],
    keep: ['https://bucket.s3.eu-west-1.amazonaws.com/report.csv', 'X-Amz-Expires=900'],
    at: ['attribute', 'body', 'nested'],
  },
  {
    kind: 'lower-case token scheme',
    value: 'Authorization: token 448d5c510386c265d00cacd813f74a24ada5df64',
    secrets: ['448d5c510386c265d00cacd813f74a24ada5df64'],
    keep: ['Authorization:'],
    at: ['body', 'body.map'],
  },
  {
    kind: 'Token in a curl command',
    key: 'process.command_line',
    value: "curl -H 'Authorization: Token 80167265bda22a45b44cd24b86326d339acc500a' https://api.example.com/items",
    secrets: ['80167265bda22a45b44cd24b86326d339acc500a'],
    keep: ['curl -H', 'https://api.example.com/items'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'Proxy-Authorization Digest',
    value:
      'Proxy-Authorization: Digest username="svc", realm="proxy", nonce="7c1f", uri="/", response="4c403f1b53413735bafddc3a7164a1a8"',
    secrets: ['4c403f1b53413735bafddc3a7164a1a8'],
    keep: ['Proxy-Authorization:'],
    at: ['body'],
  },
]);

const cookie = group('cookie', [
  {
    kind: 'three cookies',
    key: 'raw_headers',
    value:
      'Cookie: sessionid=QIg8IZqLauYdwvLlRbrHu9cPviaf7mXW; csrftoken=6yoETrNHVUGpOgvIiPGNQUTu3JilPVaW; _ga=GA1.2.1784029386.1714553025',
    secrets: ['QIg8IZqLauYdwvLlRbrHu9cPviaf7mXW', '6yoETrNHVUGpOgvIiPGNQUTu3JilPVaW', 'GA1.2.1784029386.1714553025'],
    keep: ['Cookie:'],
    at: ['attribute', 'body', 'body.map', 'nested', 'scope'],
  },
  {
    kind: 'header dump, CRLF',
    value:
      'Host: api.example.com\r\nCookie: theme_pref=dark-mode-v2; remember_token=gU5v3vVZKxSehdTJnQj5POUgc7HA1PcG; XSRF-TOKEN=NQ6DUn9XJM0JOG2nCLZYbGFHSAeiH3l3\r\nAccept: */*',
    secrets: ['dark-mode-v2', 'gU5v3vVZKxSehdTJnQj5POUgc7HA1PcG', 'NQ6DUn9XJM0JOG2nCLZYbGFHSAeiH3l3'],
    keep: ['Host: api.example.com', 'Cookie:', 'Accept: */*'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'Set-Cookie keeps its attributes',
    value: 'Set-Cookie: __Host-session=CHEVTYffpUzq9xfRbLNM4Sd9JzOWbEZ8; Path=/; Secure; HttpOnly; SameSite=Lax',
    secrets: ['CHEVTYffpUzq9xfRbLNM4Sd9JzOWbEZ8'],
    keep: ['Set-Cookie:', 'Path=/; Secure; HttpOnly; SameSite=Lax'],
    at: ['attribute', 'body', 'bytes'],
  },
  {
    kind: 'under the cookie header key',
    key: 'http.request.header.cookie',
    value: 'sid=xkNHRZ9p5iHJGj3ysptc9JlT; cart=qrChwy7EmHnC0wYtOhPn',
    secrets: ['xkNHRZ9p5iHJGj3ysptc9JlT', 'qrChwy7EmHnC0wYtOhPn'],
    at: ['attribute', 'resource'],
  },
  {
    kind: 'Cookie key in a headers map',
    key: 'Cookie',
    value: 'sid=7PiRpDBFirW6v2Dgan3P; prefs=Ri3TMHPoqyPN-lang-de',
    secrets: ['7PiRpDBFirW6v2Dgan3P', 'Ri3TMHPoqyPN-lang-de'],
    at: ['body.map', 'nested'],
  },
  {
    kind: 'lower-case cookie:, signed value',
    value: 'cookie: connect.sid=s%3AXN3Cjkochhi8wRmHsZRZ.NTkGPz73ApPmElmhbUoY; lang=en-GB-x1',
    secrets: ['s%3AXN3Cjkochhi8wRmHsZRZ.NTkGPz73ApPmElmhbUoY', 'en-GB-x1'],
    keep: ['cookie:'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'Cookie in a curl command',
    key: 'process.command_line',
    value:
      "curl -H 'Cookie: jwt_refresh=sNKR1woH97Us9zJVDnK4; device_id=GZZIPt5IG224dRe4Ijb6' https://shop.example.com/cart",
    secrets: ['sNKR1woH97Us9zJVDnK4', 'GZZIPt5IG224dRe4Ijb6'],
    keep: ['curl -H', 'https://shop.example.com/cart'],
    at: ['attribute', 'body'],
  },
]);

const serialised = group('serialised', [
  {
    kind: 'escaped JSON inside JSON',
    value: '{"level":"info","payload":"{\\"user\\":\\"svc\\",\\"password\\":\\"Xk9#mq2!Lp\\"}"}',
    secrets: ['Xk9#mq2!Lp'],
    keep: ['"level":"info"', '\\"user\\":\\"svc\\"'],
    at: ['body', 'attribute', 'body.map', 'nested'],
  },
  {
    kind: 'JSON escaped twice',
    value: JSON.stringify(
      JSON.stringify(JSON.stringify({ api_key: 'VjzCX7zl0CneQH5AZoQFiWrGQhc3BlCT', region: 'eu' })),
    ),
    secrets: ['VjzCX7zl0CneQH5AZoQFiWrGQhc3BlCT'],
    keep: ['region'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'escaped JSON header map',
    value: JSON.stringify({
      msg: 'upstream call',
      request: JSON.stringify({ headers: { 'x-access-token': 'xGfrhqtDTqw2rC8H7FCm8g8sQdzDTHda' }, path: '/v1/pay' }),
    }),
    secrets: ['xGfrhqtDTqw2rC8H7FCm8g8sQdzDTHda'],
    keep: ['upstream call', '/v1/pay'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'Ruby hash inspect',
    value: '{"username"=>"deploy", "password"=>"s3cr3t-R0tate!", "host"=>"db1"}',
    secrets: ['s3cr3t-R0tate!'],
    keep: ['"username"=>"deploy"', '"host"=>"db1"'],
    at: ['body', 'attribute', 'scope'],
  },
  {
    kind: 'Ruby symbol keys',
    value: 'Parameters: {:email_confirmed=>true, :password=>"N3w-Passw0rd#", :password_confirmation=>"N3w-Passw0rd#"}',
    secrets: ['N3w-Passw0rd#'],
    keep: ['Parameters:', ':email_confirmed=>true'],
    at: ['body', 'body.map'],
  },
  {
    kind: 'Rails params, nested hash',
    value: 'Parameters: {"user"=>{"login"=>"kim", "remember"=>"1"}, "api_token"=>"4VBI8N9qnpGgfcH47LBJvZITl60E04IG"}',
    secrets: ['4VBI8N9qnpGgfcH47LBJvZITl60E04IG'],
    keep: ['"login"=>"kim"', '"remember"=>"1"'],
    at: ['body', 'nested'],
  },
  {
    kind: 'PHP print_r',
    value: 'Array\n(\n    [username] => deploy\n    [password] => hunter2-Pa55\n    [remember] => 1\n)\n',
    secrets: ['hunter2-Pa55'],
    keep: ['[username] => deploy', '[remember] => 1'],
    at: ['body', 'attribute', 'body.map'],
  },
  {
    kind: 'PHP var_dump',
    value: 'array(2) {\n  ["user"]=>\n  string(4) "root"\n  ["db_pass"]=>\n  string(13) "Maria!DB-2024"\n}',
    secrets: ['Maria!DB-2024'],
    keep: ['["user"]=>', '"root"'],
    at: ['body', 'nested'],
  },
  {
    kind: 'PHP print_r object',
    value: 'stdClass Object\n(\n    [api_key] => o2MmxmMIZzwaeJc5bU8uMX7BSd4AqwVk\n    [region] => eu\n)',
    secrets: ['o2MmxmMIZzwaeJc5bU8uMX7BSd4AqwVk'],
    keep: ['stdClass Object', '[region] => eu'],
    at: ['body', 'bytes'],
  },
  {
    kind: 'XML element',
    value: '<user><name>deploy</name><password>Qw3rty!9x</password></user>',
    secrets: ['Qw3rty!9x'],
    keep: ['<name>deploy</name>', '<password>', '</password>'],
    at: ['body', 'attribute', 'body.map', 'scope'],
  },
  {
    kind: 'XML appSettings',
    value: '<add key="DbPassword" value="Sql!Serv3r#22" />',
    secrets: ['Sql!Serv3r#22'],
    keep: ['<add key="DbPassword"'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'XML secretKey element',
    value:
      '<credentials><accessKeyId>AKIAAOOPCS7WKBZPWR23</accessKeyId><secretKey>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</secretKey></credentials>',
    secrets: ['nMtCmEdZaMe7No5uOzddGhMhpAf1w9AjDb2/sEcl', 'AKIAAOOPCS7WKBZPWR23'],
    keep: ['<credentials>', '<secretKey>'],
    at: ['body', 'nested'],
  },
  {
    kind: 'Java properties',
    value: 'spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=Spr1ng!Boot#',
    secrets: ['Spr1ng!Boot#'],
    keep: ['spring.datasource.url=jdbc:postgresql://db:5432/app', 'spring.datasource.password='],
    at: ['body', 'attribute'],
  },
  {
    kind: 'SQL IDENTIFIED BY',
    key: 'db.query.text',
    value: "CREATE USER 'app'@'%' IDENTIFIED BY 'N0t-S0-Secret!';",
    secrets: ['N0t-S0-Secret!'],
    keep: ["CREATE USER 'app'@'%' IDENTIFIED BY"],
    at: ['attribute', 'body', 'nested'],
  },
  {
    kind: 'SQL PASSWORD (Postgres)',
    key: 'db.query.text',
    value: "ALTER ROLE reporting WITH LOGIN PASSWORD 'pg-R0le#Pass' VALID UNTIL '2025-01-01';",
    secrets: ['pg-R0le#Pass'],
    keep: ['ALTER ROLE reporting WITH LOGIN PASSWORD', "VALID UNTIL '2025-01-01'"],
    at: ['attribute', 'body'],
  },
  {
    kind: 'SQL SET PASSWORD (MySQL)',
    key: 'db.query.text',
    value: "SET PASSWORD FOR 'bob'@'localhost' = PASSWORD('B0b$ecret-x');",
    secrets: ['B0b$ecret-x'],
    keep: ["SET PASSWORD FOR 'bob'@'localhost'"],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'SQL CREATE LOGIN (SQL Server)',
    key: 'db.query.text',
    value: "CREATE LOGIN etl WITH PASSWORD = 'Etl#Load3r!', CHECK_POLICY = OFF",
    secrets: ['Etl#Load3r!'],
    keep: ['CREATE LOGIN etl WITH PASSWORD', 'CHECK_POLICY = OFF'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'SQL IDENTIFIED BY, double quotes (Oracle)',
    value: 'ALTER USER "svc" IDENTIFIED BY "Orcl_Pa55w0rd"',
    secrets: ['Orcl_Pa55w0rd'],
    keep: ['ALTER USER "svc" IDENTIFIED BY'],
    at: ['body'],
  },
  {
    kind: 'mysqldump -p glued',
    key: 'process.command_line',
    value: 'mysqldump -u root -pS3cretR00t --single-transaction shop > /backup/shop.sql',
    secrets: ['S3cretR00t'],
    keep: ['mysqldump -u root', '--single-transaction shop > /backup/shop.sql'],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: "mysql -p'…' quoted",
    key: 'process.command_line',
    value: "mysql -h db.internal -u app -p'My$ql!Pass' orders",
    secrets: ['My$ql!Pass'],
    keep: ['mysql -h db.internal -u app', 'orders'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'mysqldump --password=',
    key: 'process.command_line',
    value: 'mysqldump --user=backup --password=Dump!t-42 --all-databases',
    secrets: ['Dump!t-42'],
    keep: ['mysqldump --user=backup', '--all-databases'],
    at: ['attribute', 'body.map'],
  },
]);

const env = group('env_dump', [
  {
    kind: 'env dump with SMTP_PASS',
    key: 'process.environment',
    value: 'HOME=/home/app\nPWD=/srv/app\nSMTP_PASS=Smtp!Relay-88\nNODE_ENV=production\n',
    secrets: ['Smtp!Relay-88'],
    keep: ['HOME=/home/app', 'PWD=/srv/app', 'SMTP_PASS=', 'NODE_ENV=production'],
    at: ['body', 'attribute', 'body.map', 'bytes'],
  },
  {
    kind: 'SECRET_KEY_BASE',
    value:
      'SECRET_KEY_BASE=c0cff2ac7288747d1ee290f91691d83ff3cdcba676466374590a607c1823b40c54ef60970ce076ea7078cd0887c4a5ed38178aeb282028c55ff0f752e941dfc6',
    secrets: [
      'c0cff2ac7288747d1ee290f91691d83ff3cdcba676466374590a607c1823b40c54ef60970ce076ea7078cd0887c4a5ed38178aeb282028c55ff0f752e941dfc6',
    ],
    keep: ['SECRET_KEY_BASE='],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: 'APP_KEY (Laravel)',
    value: 'APP_KEY=base64:sgjX8jV9y2GEyiEuCcNZOaJ06gN86V1Xwq7C0qkKyYA=',
    secrets: ['sgjX8jV9y2GEyiEuCcNZOaJ06gN86V1Xwq7C0qkKyYA='],
    keep: ['APP_KEY='],
    at: ['attribute', 'body', 'resource'],
  },
  {
    kind: 'ENCRYPTION_KEY',
    value: 'ENCRYPTION_KEY=2fcdd31eda616bdf67aaeaeac0e0cb728fa094bd27970fd9c45061cb5fa21b7a',
    secrets: ['2fcdd31eda616bdf67aaeaeac0e0cb728fa094bd27970fd9c45061cb5fa21b7a'],
    keep: ['ENCRYPTION_KEY='],
    at: ['body', 'nested'],
  },
  {
    kind: 'export with double quotes',
    value: 'export SMTP_PASS="gm4il-app-pass-x"',
    secrets: ['gm4il-app-pass-x'],
    keep: ['export SMTP_PASS='],
    at: ['body', 'body.map'],
  },
  {
    kind: 'docker inspect Env list',
    value:
      '"Env": ["PATH=/usr/local/sbin:/usr/local/bin", "MAIL_PASSWORD=Ma1l#Pw-xy", "APP_KEY=base64:q1w2e3r4t5y6u7i8o9p0AaSsDdFfGgHhJjKkLl="]',
    secrets: ['Ma1l#Pw-xy', 'q1w2e3r4t5y6u7i8o9p0AaSsDdFfGgHhJjKkLl='],
    keep: ['PATH=/usr/local/sbin:/usr/local/bin'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'AWS_SECRET_ACCESS_KEY',
    value: 'AWS_SECRET_ACCESS_KEY=ZIDFuba05sF7/nxg8XXkL1UtAJd1PBG0jZT0FDrG',
    secrets: ['ZIDFuba05sF7/nxg8XXkL1UtAJd1PBG0jZT0FDrG'],
    keep: ['AWS_SECRET_ACCESS_KEY='],
    at: ['attribute', 'body'],
  },
  {
    kind: 'DB_PASS on one line',
    value: 'DB_HOST=db DB_USER=app DB_PASS=D8!pass-x DB_NAME=shop',
    secrets: ['D8!pass-x'],
    keep: ['DB_HOST=db', 'DB_USER=app', 'DB_NAME=shop'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'REDIS_PASS',
    value: 'REDIS_PASS=R3d!s-cache-9',
    secrets: ['R3d!s-cache-9'],
    keep: ['REDIS_PASS='],
    at: ['body'],
  },
  {
    kind: 'environment as a map',
    key: 'process.environment',
    value: {
      PWD: '/srv/app',
      SMTP_PASS: 'Smtp!Map-31',
      SECRET_KEY_BASE: '38578d4aede627239dc19d1353c9bc1caa95b73dfb5c2b1b9a09d2fbf6db2a01',
      LANG: 'C.UTF-8',
    },
    secrets: ['Smtp!Map-31', '38578d4aede627239dc19d1353c9bc1caa95b73dfb5c2b1b9a09d2fbf6db2a01'],
    keep: ['PWD', '/srv/app', 'LANG', 'C.UTF-8'],
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: "JWT_SECRET='…'",
    value: "JWT_SECRET='Jw7-Sign!ng-Key-2024'",
    secrets: ['Jw7-Sign!ng-Key-2024'],
    keep: ['JWT_SECRET='],
    at: ['body'],
  },
  {
    kind: 'SESSION_SECRET',
    value: 'SESSION_SECRET=5c962f5d9e7fc82578e807841f2f843b',
    secrets: ['5c962f5d9e7fc82578e807841f2f843b'],
    keep: ['SESSION_SECRET='],
    at: ['scope'],
  },
]);

const cli = group('cli_flag', [
  {
    kind: '--api-key VALUE',
    key: 'process.command_line',
    value: 'deploy-cli push --api-key 7fQ2mZ8xL4pN9vR1aB3c --region eu-west-1',
    secrets: ['7fQ2mZ8xL4pN9vR1aB3c'],
    keep: ['deploy-cli push', '--api-key', '--region eu-west-1'],
    at: ['attribute', 'body', 'scope', 'bytes'],
  },
  {
    kind: '--password=VALUE',
    key: 'process.command_line',
    value: 'pg_restore --password=Pg!Rest0re -h db.internal dump.tar',
    secrets: ['Pg!Rest0re'],
    keep: ['pg_restore', '--password=', '-h db.internal dump.tar'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'redis-cli -a VALUE',
    key: 'process.command_line',
    value: 'redis-cli -h cache -a R3d!sAuth-5 ping',
    secrets: ['R3d!sAuth-5'],
    keep: ['redis-cli -h cache', 'ping'],
    at: ['attribute', 'body'],
  },
  {
    kind: '--token=VALUE',
    key: 'process.command_line',
    value: 'app --token=TehtU7D5oLH7p4BQyKb5wRcWL0bKFw5F --verbose',
    secrets: ['TehtU7D5oLH7p4BQyKb5wRcWL0bKFw5F'],
    keep: ['--verbose'],
    at: ['attribute', 'nested'],
  },
  {
    kind: 'docker login --password VALUE',
    key: 'process.command_line',
    value: 'docker login -u ci --password Dkr!Hub-77 registry.example.com',
    secrets: ['Dkr!Hub-77'],
    keep: ['docker login -u ci', 'registry.example.com'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'terraform -var "db_password=…"',
    key: 'process.command_line',
    value: 'terraform apply -var "db_password=Tf!Var-pass" -auto-approve',
    secrets: ['Tf!Var-pass'],
    keep: ['terraform apply -var', '-auto-approve'],
    at: ['attribute', 'body'],
  },
  {
    kind: '--client-secret VALUE',
    key: 'process.command_line',
    value: 'node server.js --client-secret 9a8b7c6d5e4f3a2b1c0d --port 8080',
    secrets: ['9a8b7c6d5e4f3a2b1c0d'],
    keep: ['node server.js', '--port 8080'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'argv list: --api-key then the value',
    key: 'process.command_args',
    value: ['node', 'worker.js', '--api-key', 'JtcU09cQjZN1e0f4dw3hDjvkKUIeKxja', '--queue', 'emails'],
    secrets: ['JtcU09cQjZN1e0f4dw3hDjvkKUIeKxja'],
    keep: ['worker.js', '--queue', 'emails'],
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: '--db-password with a quoted value',
    value: "migrate --db-password 'Db p4ss w0rd' --dry-run",
    secrets: ['Db p4ss w0rd'],
    keep: ['migrate', '--dry-run'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'curl -u user:password',
    key: 'process.command_line',
    value: 'curl -u admin:Cu!rl-Pass https://api.example.com/health',
    secrets: ['Cu!rl-Pass'],
    keep: ['https://api.example.com/health'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'openssl -pass pass:VALUE',
    value: 'openssl enc -aes-256-cbc -pass pass:Op3nSSL!key -in a.txt',
    secrets: ['Op3nSSL!key'],
    keep: ['openssl enc -aes-256-cbc', '-in a.txt'],
    at: ['body'],
  },
  {
    kind: '--apikey=VALUE',
    value: 'sync --apikey=rahHVHudoxwCgBRwD1vluklmGcvUf2iP --full',
    secrets: ['rahHVHudoxwCgBRwD1vluklmGcvUf2iP'],
    keep: ['--full'],
    at: ['body'],
  },
]);

const keyName = group('key_name', [
  {
    kind: 'password1',
    key: 'password1',
    value: 'Gh7!vQ2#pLm9',
    secrets: ['Gh7!vQ2#pLm9'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'api_key_2',
    key: 'api_key_2',
    value: 'YI6ypY7MMRhZOt4XKdjFyrRn8uwK8LoX',
    secrets: ['YI6ypY7MMRhZOt4XKdjFyrRn8uwK8LoX'],
    at: ['attribute', 'resource', 'nested'],
  },
  {
    kind: 'access_token_old',
    key: 'access_token_old',
    value: 'rcMNTmXEGKp11H8nazCCS46MjpXVRHe6',
    secrets: ['rcMNTmXEGKp11H8nazCCS46MjpXVRHe6'],
    at: ['attribute', 'scope', 'body.map'],
  },
  {
    kind: 'pass',
    key: 'pass',
    value: 'P@ssw0rd-2024!',
    secrets: ['P@ssw0rd-2024!'],
    at: ['attribute', 'nested', 'body.map'],
  },
  {
    kind: 'auth',
    key: 'auth',
    value: 'svc-user:Auth!Pass-9',
    secrets: ['svc-user:Auth!Pass-9'],
    at: ['attribute', 'body.map', 'resource'],
  },
  {
    kind: 'db.password.value',
    key: 'db.password.value',
    value: 'Dbv!Secret-42',
    secrets: ['Dbv!Secret-42'],
    at: ['attribute', 'resource', 'scope'],
  },
  { kind: 'passwd2', key: 'passwd2', value: 'Pw2-old-Secret', secrets: ['Pw2-old-Secret'], at: ['attribute'] },
  { kind: 'Password_1', key: 'Password_1', value: 'Upper!Case-77', secrets: ['Upper!Case-77'], at: ['body.map'] },
  {
    kind: 'apiKey2 (camelCase)',
    key: 'apiKey2',
    value: 'jGU4BodEARCrQnQPd75P4tOXgroHpV6N',
    secrets: ['jGU4BodEARCrQnQPd75P4tOXgroHpV6N'],
    at: ['attribute', 'nested'],
  },
  {
    kind: 'refresh_token_prev',
    key: 'refresh_token_prev',
    value: '2IfwNFyjRbf1CFSmoHV6pimpKikoe3J1',
    secrets: ['2IfwNFyjRbf1CFSmoHV6pimpKikoe3J1'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'secretKeyOld (camelCase)',
    key: 'secretKeyOld',
    value: 'mHUZ75WztSJWQqtwwxmFJvEsn68KDOYl',
    secrets: ['mHUZ75WztSJWQqtwwxmFJvEsn68KDOYl'],
    at: ['nested'],
  },
  {
    kind: 'x-auth header',
    key: 'x-auth',
    value: 'EVmMehUxCj7rFuax3UG6RnuHd2T4XrhB',
    secrets: ['EVmMehUxCj7rFuax3UG6RnuHd2T4XrhB'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'AUTH upper case',
    key: 'AUTH',
    value: '5M5QFuv3mAz4F6CLm6v8kJAOGDOHM6rI',
    secrets: ['5M5QFuv3mAz4F6CLm6v8kJAOGDOHM6rI'],
    at: ['resource'],
  },
  {
    kind: 'user.pass',
    key: 'user.pass',
    value: 'Us3r-Pass!word',
    secrets: ['Us3r-Pass!word'],
    at: ['attribute', 'scope'],
  },
  { kind: 'smtp.pass', key: 'smtp.pass', value: 'Sm7p-Relay!x', secrets: ['Sm7p-Relay!x'], at: ['resource', 'nested'] },
  {
    kind: 'token_v2',
    key: 'token_v2',
    value: 'z5PEGNr6Df0PCSJaqSIz3B0eBMR2mPBU',
    secrets: ['z5PEGNr6Df0PCSJaqSIz3B0eBMR2mPBU'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'client_secret_2',
    key: 'client_secret_2',
    value: 'sk8Hc3Lm0Nq2Rs4Tu6Vw8Xy0Za2Bc4De',
    secrets: ['sk8Hc3Lm0Nq2Rs4Tu6Vw8Xy0Za2Bc4De'],
    at: ['attribute'],
  },
  {
    kind: 'private_key_pem',
    key: 'private_key_pem',
    value: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    secrets: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
    at: ['attribute', 'body.map'],
  },
]);

const keyShape = group('key_shape', [
  {
    kind: 'Azure storage AccountKey=',
    key: 'azure.storage.connection_string',
    value:
      'DefaultEndpointsProtocol=https;AccountName=prodlogs;AccountKey=PbWEIEDTs5zkmXs8s2pPAfA3g4hgMq7zUlMbyTKZnahD0DYRwEyzNwsmT/4ljyMbkAWw8SRS3k42+PT0qxF5eb==;EndpointSuffix=core.windows.net',
    secrets: ['PbWEIEDTs5zkmXs8s2pPAfA3g4hgMq7zUlMbyTKZnahD0DYRwEyzNwsmT/4ljyMbkAWw8SRS3k42+PT0qxF5eb=='],
    keep: ['AccountName=prodlogs', 'EndpointSuffix=core.windows.net'],
    at: ['attribute', 'body', 'resource', 'nested'],
  },
  {
    kind: 'Azure Service Bus SharedAccessKey=',
    value:
      'Endpoint=sb://orders-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=VbJlNl6rOOO09Nza1NbVL66L2HrofyrWa8VWzaWBwsk=',
    secrets: ['VbJlNl6rOOO09Nza1NbVL66L2HrofyrWa8VWzaWBwsk='],
    keep: ['Endpoint=sb://orders-ns.servicebus.windows.net/'],
    at: ['body'],
  },
  {
    kind: 'Azure SAS sig= in a blob URL',
    key: 'url.full',
    value:
      'https://prodlogs.blob.core.windows.net/audit/2024-05.log?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig=3jVZzMcFc74TaV6SxhBJzvUTq8%2B18dmDVCC2hU%2B%2Bz3w%3D',
    secrets: ['3jVZzMcFc74TaV6SxhBJzvUTq8%2B18dmDVCC2hU%2B%2Bz3w%3D'],
    keep: ['prodlogs.blob.core.windows.net/audit/2024-05.log', 'sv=2022-11-02'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'Azure SAS token alone',
    value:
      '?sv=2021-08-06&sp=racwdl&st=2024-05-01T00:00:00Z&se=2024-06-01T00:00:00Z&sig=gQrw9wr0hBmLiG5T1g3EFhrZM3u5X7cOIQX8N62OnAc%3D',
    secrets: ['gQrw9wr0hBmLiG5T1g3EFhrZM3u5X7cOIQX8N62OnAc%3D'],
    keep: ['sv=2021-08-06'],
    at: ['scope', 'nested'],
  },
  {
    kind: 'Slack webhook URL',
    key: 'alert.webhook',
    value: 'https://hooks.slack.com/services/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',
    secrets: ['3jyYtAfHLcxBEi1avgToBu8l'],
    keep: ['hooks.slack.com'],
    at: ['attribute', 'body', 'resource', 'bytes'],
  },
  {
    kind: 'Slack webhook URL in a sentence',
    value:
      'posting alert to https://hooks.slack.com/services/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 failed: 404',
    secrets: ['OdcsDpI5K1mcPHA9hagRQvww'],
    keep: ['posting alert to', 'hooks.slack.com', 'failed: 404'],
    at: ['body', 'body.map'],
  },
  {
    kind: 'Slack app-level token xapp-',
    value:
      'socket mode xapp-1-A0F7JF62PBE-2571328628843-5ba94d83260e0c06c0d7470bd8106a1c09f2fb6b6ebc280464190b6a92b24780',
    secrets: ['xapp-1-A0F7JF62PBE-2571328628843-5ba94d83260e0c06c0d7470bd8106a1c09f2fb6b6ebc280464190b6a92b24780'],
    keep: ['socket mode'],
    at: ['attribute', 'body', 'nested'],
  },
  {
    kind: 'Slack app-level token xapp- alone',
    value: 'xapp-1-A0JMGBQX8QO-9696648911993-5139685fdc537040e9018aef589b2545f9fcf4bf8b51228c45f3b63cb3e17bed',
    secrets: ['xapp-1-A0JMGBQX8QO-9696648911993-5139685fdc537040e9018aef589b2545f9fcf4bf8b51228c45f3b63cb3e17bed'],
    at: ['scope'],
  },
  {
    kind: 'PyPI upload token',
    value:
      'uploading with token pypi-AgEIcHlwaS5vcmcbWJIPXxWX2mz3sC1ocFVfsp8V4mbwzN8u9MrhJ3selpdTG1jXo3Q7e_5IaE1WVwfFWc_Ml',
    secrets: ['pypi-AgEIcHlwaS5vcmcbWJIPXxWX2mz3sC1ocFVfsp8V4mbwzN8u9MrhJ3selpdTG1jXo3Q7e_5IaE1WVwfFWc_Ml'],
    keep: ['uploading with token'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'PyPI token alone',
    value: 'pypi-AgEIcHlwaS5vcmc_kmogLV76Yhckwg7UhgXPSR_B_RvebfZi7sLY742RuAueBTxhVlf6P6evOkQuEHkIqKA53',
    secrets: ['pypi-AgEIcHlwaS5vcmc_kmogLV76Yhckwg7UhgXPSR_B_RvebfZi7sLY742RuAueBTxhVlf6P6evOkQuEHkIqKA53'],
    at: ['resource'],
  },
  {
    kind: 'Twilio API key SK…',
    value: 'twilio key SKa6dd988aedf06134c51dfa731804d610 rotated',
    secrets: ['SKa6dd988aedf06134c51dfa731804d610'],
    keep: ['twilio key', 'rotated'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'Twilio API key in code',
    value: 'client = Client("SKf363df47a390805ec8fcf7101b553132", api_secret)',
    secrets: ['SKf363df47a390805ec8fcf7101b553132'],
    keep: ['client = Client(', 'api_secret)'],
    at: ['nested'],
  },
  {
    kind: 'Heroku API key HRKU-',
    value: 'heroku login token HRKU-AA5DR405uAZjOHEIgC8ymeCtvFRmLeNg_eYVMU_lBA-tmaZNfUEwClXKMCwA',
    secrets: ['HRKU-AA5DR405uAZjOHEIgC8ymeCtvFRmLeNg_eYVMU_lBA-tmaZNfUEwClXKMCwA'],
    keep: ['heroku login token'],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: 'DigitalOcean personal token',
    value: 'doctl auth init -t dop_v1_37f802aeab59a26ac202ec073c0ca6b893e00bde10ed56dc828d1d4fc7662afb',
    secrets: ['dop_v1_37f802aeab59a26ac202ec073c0ca6b893e00bde10ed56dc828d1d4fc7662afb'],
    keep: ['doctl auth init -t'],
    at: ['attribute', 'body', 'bytes'],
  },
  {
    kind: 'DigitalOcean OAuth token',
    value: 'doo_v1_ff9b32777efb59025b3bf1ff79e4a8e027bfd8b0f329909e601004b4d01bf24c',
    secrets: ['doo_v1_ff9b32777efb59025b3bf1ff79e4a8e027bfd8b0f329909e601004b4d01bf24c'],
    at: ['body.map'],
  },
  {
    kind: 'DigitalOcean refresh token',
    value: 'dor_v1_cb0f4433d2d740bb5628121ec31d25756566775d4de7309e4fc6302ee9968755',
    secrets: ['dor_v1_cb0f4433d2d740bb5628121ec31d25756566775d4de7309e4fc6302ee9968755'],
    at: ['nested'],
  },
  {
    kind: 'Discord bot token',
    value: 'discord bot MkIuMg4kOFqqOPQqBc6wNupURa.2fvoi-.A0vhBZD3xUFvZjyyptaBvGMqexkfL_1-V_ecLr connected',
    secrets: ['MkIuMg4kOFqqOPQqBc6wNupURa.2fvoi-.A0vhBZD3xUFvZjyyptaBvGMqexkfL_1-V_ecLr'],
    keep: ['discord bot', 'connected'],
    at: ['attribute', 'body', 'resource'],
  },
  {
    kind: 'Discord bot token alone',
    value: 'MuYy7P6sgsUbTN2gokKuGxwQcV.wR1Sz-.TKL5zzPQEXeDEld8yR9ATq-f3EW32W949Whq1f',
    secrets: ['MuYy7P6sgsUbTN2gokKuGxwQcV.wR1Sz-.TKL5zzPQEXeDEld8yR9ATq-f3EW32W949Whq1f'],
    at: ['body.map'],
  },
  {
    kind: 'Telegram bot token in the API URL',
    key: 'url.full',
    value: 'https://api.telegram.org/bot2278924606:AATn0N0NHXUOUTyjt_RylnEnTdSuJwp09RD/sendMessage?chat_id=-100123',
    secrets: ['2278924606:AATn0N0NHXUOUTyjt_RylnEnTdSuJwp09RD'],
    keep: ['api.telegram.org', '/sendMessage', 'chat_id=-100123'],
    at: ['attribute', 'body', 'nested'],
  },
  {
    kind: 'Telegram bot token alone',
    value: 'telegram 8967472595:AA7D42mZSM2z_X_xZCTMjYDr6rzue36M5Uj',
    secrets: ['8967472595:AA7D42mZSM2z_X_xZCTMjYDr6rzue36M5Uj'],
    keep: ['telegram'],
    at: ['body.map', 'scope'],
  },
]);

const PGP =
  'urSENTz0Z8sHJtdv6ndxiwTdZxhuSs+Qd+GzvFH+Ym2A5fKiHcSIgSnLTHIhjv6s\nT7HSKkEVQW42r4djS7jDB3eLK01QCIdkhN/adDb4PqlH0gX1jmb1GtqU/KZJMjh9\nXo3KbnGIofjk/LpHMN/zJizCKzqS/vkGqIK/iYSDwCgp88qtYDYOxE8qzfBLRNy+\nE4NBLy7seZZFQuIqjpmOr50veQSACRQmqdBPpRWPliP1fjnoiM946UBbfXGU4aKG';
const PEM_CUT =
  'FsQynHaM0jT2BN2suDrga8HdmEbrXNwKNTJ4euURjtLVWz8DiT0jQwfxJaxkN+XG\nyWDlTC6LfB4/IdpAalnRSuGWvAhLxMNdTCT6JM7u+GVJXwrznSyEjIHWFj57B2Cg\nRRIFqLR2gwFWrv4/dh+YO0TAlpjmhuIOIGOSmfQ28MuNM3aJhN1UmAEIRFON1Q1k';
const PKCS8_CUT =
  '+m/s+S+S6oHhjRKFnH1C15hEyMral021dcF5WILpJdUBuVAO49tmaopNuX21xII4\nZOZlGz6Zlarfg5EpSEP0BB7+f7DRmILXR0Z9/mD7tE6O7c/l9eU5Sv2M/MjdZf';
const SSH =
  'T9cDL07R4IhSR62QZAfjmyKEquN9OMK3Kj6Tp2bulx+QyxIssol1xc6bcHijLx0M07WCqY\n3kH98lHzzdQYiAaiLEqorU3nURGmuaAZBObVeTtc75bMliA44+Jd4eBwrwr0u6B5IWwh4i';
const EC_CUT =
  'PG947pq0H3m/wyw5qODblzLpd9pUGnZCtYOca9Z6wzIP9E2Tvrl3K+GI3fPaXeS+\nnb+lUfg8h48PCkRNKyBx7zd+EGunR5nDBts60sGv2Eu8ZkiBh4wDfOPW1PEPoSNf';

const privateKey = group('private_key', [
  {
    kind: 'PGP private key block',
    key: 'gpg.export',
    value: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${PGP}\n=Ab3d\n-----END PGP PRIVATE KEY BLOCK-----\n`,
    secrets: [PGP],
    at: ['body', 'attribute', 'body.map'],
  },
  {
    kind: 'PEM RSA key cut before END',
    key: 'tls.material',
    value: `loaded key: -----BEGIN RSA PRIVATE KEY-----\n${PEM_CUT}`,
    secrets: [PEM_CUT],
    keep: ['loaded key:'],
    at: ['body', 'attribute', 'nested'],
  },
  {
    kind: 'PKCS#8 key truncated by the logger',
    value: `-----BEGIN PRIVATE KEY-----\n${PKCS8_CUT}…[truncated 1873 chars]`,
    secrets: [PKCS8_CUT],
    keep: ['[truncated 1873 chars]'],
    at: ['body', 'scope'],
  },
  {
    kind: 'OpenSSH private key, complete',
    value: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH}\n-----END OPENSSH PRIVATE KEY-----`,
    secrets: [SSH],
    at: ['body'],
  },
  {
    kind: 'EC key cut before END',
    value: `-----BEGIN EC PRIVATE KEY-----\n${EC_CUT}`,
    secrets: [EC_CUT],
    at: ['body.map'],
  },
  {
    kind: 'PGP block with \\n escapes in JSON',
    value: JSON.stringify({
      key: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${PGP}\n-----END PGP PRIVATE KEY BLOCK-----`,
    }),
    secrets: PGP.split('\n'),
    at: ['body', 'attribute'],
  },
  {
    kind: 'PEM cut, \\n escapes in JSON',
    value: JSON.stringify({ tls: { key: `-----BEGIN RSA PRIVATE KEY-----\n${PEM_CUT}` }, host: 'edge-1' }),
    secrets: PEM_CUT.split('\n'),
    keep: ['edge-1'],
    at: ['body'],
  },
]);

const cardFormat = group('card_format', [
  {
    kind: 'no-break spaces',
    key: 'payment.note',
    value: `paid with 4119${NBSP}7221${NBSP}9314${NBSP}4697`,
    secrets: [`4119${NBSP}7221${NBSP}9314${NBSP}4697`],
    keep: ['paid with'],
    at: ['attribute', 'body', 'body.map', 'nested'],
  },
  {
    kind: 'narrow no-break spaces',
    value: `card 2720${NNBSP}9547${NNBSP}1338${NNBSP}0361 ok`,
    secrets: [`2720${NNBSP}9547${NNBSP}1338${NNBSP}0361`],
    keep: ['card', 'ok'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'double spaces',
    value: 'card  6573  7860  9425  6052  on file',
    secrets: ['6573  7860  9425  6052'],
    keep: ['on file'],
    at: ['attribute', 'body', 'scope'],
  },
  {
    kind: 'dots',
    value: 'pan 4026.9395.1862.4128',
    secrets: ['4026.9395.1862.4128'],
    keep: ['pan'],
    at: ['attribute', 'body', 'resource'],
  },
  {
    kind: 'glued to a word before',
    value: 'PAN4290025503034918 exp 0427',
    secrets: ['4290025503034918'],
    keep: ['exp 0427'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'glued on both sides',
    value: 'ref=A12 cc5270502783638189exp',
    secrets: ['5270502783638189'],
    keep: ['ref=A12'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'Mir, spaces',
    value: 'Mir card 2200 9658 5046 5566 declined',
    secrets: ['2200 9658 5046 5566'],
    keep: ['Mir card', 'declined'],
    at: ['attribute', 'body', 'nested'],
  },
  { kind: 'Mir, plain', value: '2201443290029383', secrets: ['2201443290029383'], at: ['body.map', 'resource'] },
  {
    kind: 'Mir as a number',
    key: 'billing.ref',
    value: 2202899189496000,
    secrets: ['2202899189496000'],
    at: ['attribute'],
  },
  {
    kind: 'RuPay 508',
    value: 'rupay 5086 6600 3281 8509',
    secrets: ['5086 6600 3281 8509'],
    keep: ['rupay'],
    at: ['attribute', 'body'],
  },
  {
    kind: 'RuPay 65',
    value: 'card 6521904855401501 charged',
    secrets: ['6521904855401501'],
    keep: ['charged'],
    at: ['body', 'nested'],
  },
  {
    kind: 'RuPay 81, dashes',
    value: 'rupay 8171-4424-3101-9629',
    secrets: ['8171-4424-3101-9629'],
    keep: ['rupay'],
    at: ['attribute', 'body.map'],
  },
  { kind: 'RuPay 60', value: '6071115471922515', secrets: ['6071115471922515'], at: ['bytes'] },
  {
    kind: 'Troy, spaces',
    value: 'troy 9792 9327 8933 5186',
    secrets: ['9792 9327 8933 5186'],
    keep: ['troy'],
    at: ['attribute', 'body', 'scope'],
  },
  { kind: 'Troy, plain', value: '9792021037393401', secrets: ['9792021037393401'], at: ['body.map', 'nested'] },
  {
    kind: 'Troy in an event name',
    value: 'payment.failed:9792771466293601',
    secrets: ['9792771466293601'],
    keep: ['payment.failed:'],
    at: ['event.name'],
  },
]);

const emailEncoded = group('email_encoded', [
  {
    kind: '%40 in a query string',
    key: 'url.full',
    value: 'https://news.example.net/unsubscribe?email=alice.w%40example.com&list=weekly',
    secrets: ['alice.w%40example.com'],
    keep: ['https://news.example.net/unsubscribe?', 'list=weekly'],
    at: ['attribute', 'body', 'nested', 'scope'],
  },
  {
    kind: '%40 in a path',
    key: 'url.path',
    value: 'GET /api/users/bob%40corp.example.org/profile',
    secrets: ['bob%40corp.example.org'],
    keep: ['GET /api/users/', '/profile'],
    at: ['attribute', 'body', 'event.name'],
  },
  {
    kind: '%40 in a sentence',
    value: 'login ok for maria%40example.de',
    secrets: ['maria%40example.de'],
    keep: ['login ok for'],
    at: ['body', 'bytes', 'body.map'],
  },
  {
    kind: '%40 upper case',
    value: 'q=ANNA.K%40EXAMPLE.COM',
    secrets: ['ANNA.K%40EXAMPLE.COM'],
    keep: ['q='],
    at: ['attribute', 'body'],
  },
  {
    kind: 'punycode TLD (.рф)',
    value: 'Receipt mailed to ivan@shop.xn--p1ai',
    secrets: ['ivan@shop.xn--p1ai'],
    keep: ['Receipt mailed to'],
    at: ['attribute', 'body', 'resource', 'nested'],
  },
  {
    kind: 'punycode TLD (.中国)',
    value: 'owner: chen.li@example.xn--fiqs8s',
    secrets: ['chen.li@example.xn--fiqs8s'],
    keep: ['owner:'],
    at: ['body', 'scope', 'body.map'],
  },
  {
    kind: 'punycode domain and TLD',
    value: 'contact=noreply@xn--mller-kva.xn--6frz82g',
    secrets: ['noreply@xn--mller-kva.xn--6frz82g'],
    keep: ['contact='],
    at: ['attribute', 'event.name'],
  },
  {
    kind: 'punycode TLD as a map key',
    value: 'yuki@example.xn--wgv71a',
    secrets: ['yuki@example.xn--wgv71a'],
    at: ['map.key'],
  },
]);

const content = group('content', [
  {
    kind: 'http.request.body with messages',
    key: 'http.request.body',
    mayDrop: true,
    value: '{"model":"gpt-4o","messages":[{"role":"user","content":"I think I have shingles, what should I take?"}]}',
    secrets: ['I think I have shingles, what should I take?'],
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: 'JSON string holding "prompt"',
    key: 'llm.request.payload',
    mayDrop: true,
    value: '{"prompt":"Write a letter to my landlord about the mould in my flat","max_tokens":300}',
    secrets: ['Write a letter to my landlord about the mould in my flat'],
    at: ['attribute', 'body', 'body.map'],
  },
  {
    kind: 'JSON string holding "messages"',
    key: 'request.json',
    mayDrop: true,
    value:
      '{"messages":[{"role":"system","content":"You are a tax assistant for Kessler GmbH"},{"role":"user","content":"My income last year was 84,000 EUR"}]}',
    secrets: ['You are a tax assistant for Kessler GmbH', 'My income last year was 84,000 EUR'],
    at: ['body', 'attribute', 'scope'],
  },
  {
    kind: 'gen_ai.tool.call.arguments',
    key: 'gen_ai.tool.call.arguments',
    mayDrop: true,
    value: '{"patient_name":"Jonas Weber","symptom":"chest pain since Tuesday"}',
    secrets: ['Jonas Weber', 'chest pain since Tuesday'],
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: 'OpenInference tool_call.function.arguments',
    key: 'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments',
    mayDrop: true,
    value: '{"order_id":"A-1001","note":"deliver to back door, key under the mat"}',
    secrets: ['deliver to back door, key under the mat'],
    at: ['attribute', 'body.map'],
  },
  {
    kind: 'tool call arguments as a map',
    key: 'arguments',
    mayDrop: true,
    value: { query: 'divorce lawyers near Hackney', max_results: 5 },
    secrets: ['divorce lawyers near Hackney'],
    at: ['nested', 'body.map'],
  },
  {
    kind: 'chat_history string',
    key: 'chat_history',
    mayDrop: true,
    value: 'User: my son has a fever of 39.5 since last night\nAssistant: Keep him hydrated and call your GP',
    secrets: ['my son has a fever of 39.5 since last night', 'Keep him hydrated and call your GP'],
    at: ['attribute', 'body.map', 'resource'],
  },
  {
    kind: 'chat_history list of strings',
    key: 'chat_history',
    mayDrop: true,
    value: ['user: can I break my lease early in Berlin', 'assistant: Usually with three months notice'],
    secrets: ['can I break my lease early in Berlin', 'Usually with three months notice'],
    at: ['nested', 'attribute'],
  },
  {
    kind: 'llm.prompt_template.variables',
    key: 'llm.prompt_template.variables',
    mayDrop: true,
    value: '{"customer_name":"Priya Nair","complaint":"charged twice for the same order"}',
    secrets: ['Priya Nair', 'charged twice for the same order'],
    at: ['attribute', 'body.map', 'scope'],
  },
]);

export const SECRET_SPECIMENS: readonly SecretSpecimen[] = [
  ...email,
  ...card,
  ...jwt,
  ...bearer,
  ...apiKey,
  ...password,
  ...url,
  ...authScheme,
  ...cookie,
  ...serialised,
  ...env,
  ...cli,
  ...keyName,
  ...keyShape,
  ...privateKey,
  ...cardFormat,
  ...emailEncoded,
  ...content,
];
