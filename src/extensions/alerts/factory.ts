// The `alerts` extension factory.
import type { ExtensionFactory } from '../../component/types.js';
import { AlertsExtension } from './alerts.js';
import { alertsConfigSpec, type AlertsConfig } from './config.js';

export const alertsExtensionFactory: ExtensionFactory<AlertsConfig> = {
  kind: 'extension',
  type: 'alerts',
  description:
    'Alert rules over the records leaving the pipelines (error rate, p95/p99 response time, traffic band, OAuth failures), with hysteresis, /metrics, GET /api/alerts and a webhook.',
  config: alertsConfigSpec,
  create: (settings, cfg) => new AlertsExtension(settings, cfg),
};
