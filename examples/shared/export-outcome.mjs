// Wraps an OTel log exporter to keep what the SDK's batch processor does not
// tell the app: how many records the receiving end accepted, how many it
// did not, and why. The examples report that, not what they meant to send.
import { ExportResultCode } from '@opentelemetry/core';

export function withOutcome(exporter) {
  const outcome = { accepted: 0, failed: 0, error: undefined };
  const wrapped = {
    export(records, done) {
      exporter.export(records, (result) => {
        if (result.code === ExportResultCode.SUCCESS) outcome.accepted += records.length;
        else {
          outcome.failed += records.length;
          outcome.error ??= result.error;
        }
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
  return { exporter: wrapped, outcome };
}

/** One line on stdout when everything was accepted; else the reason on stderr and exit status 1. */
export function reportOutcome(outcome, what, url) {
  if (outcome.failed === 0 && outcome.accepted > 0) {
    console.log(`The collector at ${url} accepted ${outcome.accepted} ${what}.`);
    return;
  }
  const reason = outcome.error ? describe(outcome.error) : 'nothing was exported';
  console.error(
    `Could not deliver ${outcome.failed} of ${outcome.accepted + outcome.failed} ${what} to ${url}: ${reason}.`,
  );
  console.error(
    'Is the collector running? Start it from the repository root with `npm start` (or `npx auditline --config collector.yaml`).',
  );
  process.exitCode = 1;
}

function describe(err) {
  const cause = err.cause ?? err;
  const code = cause.code ?? cause.errors?.[0]?.code;
  const message = err.message ?? String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
