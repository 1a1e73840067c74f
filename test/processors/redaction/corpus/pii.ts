// Cases for the opt-in `pii` profile (`profiles: [secrets, pii]`, issue #12
// item 2): personal data the default profile does not promise. IBANs are
// generated with valid ISO 13616 check digits (their look-alikes fail it), SSNs
// follow the SSA rules (area not 000, 666 or 9xx; group not 00; serial not
// 0000), phone numbers are in international form, IPs sit in free text. Scored
// only by pii-corpus.test.ts, under that profile.
import type { Category, LookAlikeSpecimen, SecretSpecimen } from './model.js';

type Spec = Omit<SecretSpecimen, 'category'>;
type Like = Omit<LookAlikeSpecimen, 'category'>;
const group = (category: Category, specs: Spec[]): SecretSpecimen[] => specs.map((s) => ({ category, ...s }));
const like = (category: Category, specs: Like[]): LookAlikeSpecimen[] => specs.map((s) => ({ category, ...s }));

const iban = group('iban', [
  {
    kind: 'DE, compact',
    key: 'payment.account',
    value: 'DE22892770227958496509',
    secrets: ['DE22892770227958496509'],
    at: ['attribute', 'body.map', 'nested'],
  },
  {
    kind: 'GB, grouped in a sentence',
    value: 'refund to GB71 BARC 5636 7797 4571 17 queued',
    secrets: ['GB71 BARC 5636 7797 4571 17'],
    keep: ['refund to', 'queued'],
    at: ['body', 'attribute', 'scope'],
  },
  {
    kind: 'FR, grouped',
    value: 'IBAN: FR47 3864 3006 7760 8804 3592 557',
    secrets: ['FR47 3864 3006 7760 8804 3592 557'],
    keep: ['IBAN:'],
    at: ['body', 'resource'],
  },
  {
    kind: 'NL in JSON text',
    value: '{"iban":"NL09INGB1397745899","currency":"EUR"}',
    secrets: ['NL09INGB1397745899'],
    keep: ['"currency":"EUR"'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'ES, grouped',
    value: 'ES67 4140 7706 6082 2294 1921',
    secrets: ['ES67 4140 7706 6082 2294 1921'],
    at: ['body.map', 'bytes'],
  },
  {
    kind: 'IT, lower case',
    value: 'conto it72k6352410965594917694254',
    secrets: ['it72k6352410965594917694254'],
    keep: ['conto'],
    at: ['body'],
  },
  {
    kind: 'PL',
    value: 'PL61208700813205071732912025',
    secrets: ['PL61208700813205071732912025'],
    at: ['attribute', 'map.key'],
  },
  {
    kind: 'BE, grouped',
    value: 'payout BE34 3673 0979 3660 done',
    secrets: ['BE34 3673 0979 3660'],
    keep: ['payout', 'done'],
    at: ['body', 'nested'],
  },
  { kind: 'CH', value: 'CH0880005738227155650', secrets: ['CH0880005738227155650'], at: ['attribute'] },
  {
    kind: 'DE in an event name',
    value: 'sepa.mandate:DE56434570128664063675',
    secrets: ['DE56434570128664063675'],
    keep: ['sepa.mandate:'],
    at: ['event.name'],
  },
]);

const ssn = group('national_id', [
  {
    kind: 'SSN, dashes',
    value: 'SSN 536-22-8471 on file',
    secrets: ['536-22-8471'],
    keep: ['on file'],
    at: ['attribute', 'body', 'scope'],
  },
  { kind: 'SSN alone', value: '401-73-2290', secrets: ['401-73-2290'], at: ['attribute', 'body.map', 'nested'] },
  {
    kind: 'SSN, spaces',
    value: 'ssn: 681 40 1193',
    secrets: ['681 40 1193'],
    keep: ['ssn:'],
    at: ['body', 'resource'],
  },
  {
    kind: 'SSN in JSON text',
    value: '{"applicant":"A-17","ssn":"372-18-5546"}',
    secrets: ['372-18-5546'],
    keep: ['"applicant":"A-17"'],
    at: ['body', 'bytes'],
  },
]);

const phone = group('phone', [
  {
    kind: 'UK',
    value: 'call back on +44 20 7946 0321',
    secrets: ['+44 20 7946 0321'],
    keep: ['call back on'],
    at: ['body', 'attribute', 'scope'],
  },
  {
    kind: 'US, dashes',
    value: '+1 415-555-0132',
    secrets: ['+1 415-555-0132'],
    at: ['attribute', 'body.map', 'nested'],
  },
  { kind: 'DE', value: 'Tel. +49 30 90182047', secrets: ['+49 30 90182047'], keep: ['Tel.'], at: ['body', 'resource'] },
  {
    kind: 'FR, pairs',
    value: 'contact +33 1 42 68 53 07 (bureau)',
    secrets: ['+33 1 42 68 53 07'],
    keep: ['contact', '(bureau)'],
    at: ['body'],
  },
  { kind: 'JP', value: '+81 3-1234-5678', secrets: ['+81 3-1234-5678'], at: ['attribute'] },
  {
    kind: 'E.164 compact',
    value: 'sms to +4915123456789 failed',
    secrets: ['+4915123456789'],
    keep: ['sms to', 'failed'],
    at: ['body', 'event.name', 'bytes'],
  },
  { kind: 'IN', value: '+91 98765 43210', secrets: ['+91 98765 43210'], at: ['body.map'] },
]);

const ip = group('ip_address', [
  {
    kind: 'IPv4 in a sentence',
    value: 'connection from 203.0.113.7 refused',
    secrets: ['203.0.113.7'],
    keep: ['connection from', 'refused'],
    at: ['body', 'attribute', 'scope'],
  },
  {
    kind: 'IPv4 with a port',
    value: 'client 198.51.100.23:51234 reset',
    secrets: ['198.51.100.23'],
    keep: ['client', 'reset'],
    at: ['body', 'nested'],
  },
  {
    kind: 'IPv6 in a sentence',
    value: 'blocked 2001:db8:85a3::8a2e:370:7334 after 5 attempts',
    secrets: ['2001:db8:85a3::8a2e:370:7334'],
    keep: ['blocked', 'after 5 attempts'],
    at: ['body', 'body.map'],
  },
  {
    kind: 'X-Forwarded-For',
    value: 'X-Forwarded-For: 198.51.100.77, 192.0.2.15',
    secrets: ['198.51.100.77', '192.0.2.15'],
    keep: ['X-Forwarded-For:'],
    at: ['body', 'attribute'],
  },
  {
    kind: 'IPv4 in an event name',
    value: 'login.failed:192.0.2.44',
    secrets: ['192.0.2.44'],
    keep: ['login.failed:'],
    at: ['event.name'],
  },
]);

const ibanLike = like('iban', [
  { kind: 'IBAN with a wrong check digit', value: 'DE14614868109060787923', at: ['attribute', 'body'] },
  { kind: 'GB IBAN with a wrong check, grouped', value: 'GB28 LOYD 4002 1857 4215 59', at: ['body'] },
  { kind: 'NL IBAN with a wrong check', value: 'NL08ABNA0619375002', at: ['body.map'] },
  { kind: 'UK VAT number', value: 'VAT GB123456789', at: ['body'] },
  { kind: 'BIC', key: 'payment.bic', value: 'DEUTDEFF500', at: ['attribute'] },
]);

const ssnLike = like('national_id', [
  { kind: 'area 000', value: '000-12-3456', at: ['body'] },
  { kind: 'area 666', value: '666-45-1234', at: ['body'] },
  { kind: 'area 9xx', value: '912-34-5678', at: ['attribute'] },
  { kind: 'group 00', value: '123-00-4567', at: ['body'] },
  { kind: 'serial 0000', value: '123-45-0000', at: ['body'] },
  { kind: 'date', value: '2024-05-01', at: ['attribute'] },
]);

const phoneLike = like('phone', [
  { kind: 'time zone offset', value: '2024-05-01T10:00:00+05:30', at: ['attribute', 'body'] },
  { kind: 'semver build metadata', key: 'service.version', value: '1.0.0+build.5', at: ['resource'] },
  { kind: 'signed delta', value: 'latency +200ms vs baseline', at: ['body'] },
  { kind: 'score change', value: 'score +15 (total 1040)', at: ['body'] },
  { kind: 'N+1 query', value: 'N+1 query detected on /orders', at: ['body'] },
]);

const ipLike = like('ip_address', [
  { kind: 'client.address IPv4', key: 'client.address', value: '203.0.113.7', at: ['attribute'] },
  { kind: 'client.address IPv6', key: 'client.address', value: '2001:db8::8a2e:370:7334', at: ['attribute'] },
  { kind: 'semver', value: 'upgraded to 1.2.3', at: ['body'] },
  { kind: 'OID', value: 'OID 1.3.6.1.4.1.311.21.8', at: ['body'] },
  { kind: 'Windows build', key: 'os.build_id', value: '10.0.19045.3693', at: ['resource'] },
  { kind: 'MAC address', key: 'host.mac', value: '00:1a:2b:3c:4d:5e', at: ['attribute'] },
  { kind: 'clock time', value: 'started at 12:30:45', at: ['body'] },
]);

export const PII_SECRET_SPECIMENS: readonly SecretSpecimen[] = [...iban, ...ssn, ...phone, ...ip];
export const PII_LOOK_ALIKE_SPECIMENS: readonly LookAlikeSpecimen[] = [
  ...ibanLike,
  ...ssnLike,
  ...phoneLike,
  ...ipLike,
];
