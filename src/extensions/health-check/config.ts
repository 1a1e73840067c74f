import { def, endpoint, obj, str, type Endpoint } from '../../config/schema.js';

export const healthCheckConfigSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 13133 } as Endpoint),
  path: def(str({ pattern: /^\//, patternHint: 'a path starting with /' }), '/'),
});
export type HealthCheckConfig = NonNullable<ReturnType<typeof healthCheckConfigSpec.parse>>;
