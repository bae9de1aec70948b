import { TributaryClient } from '@tributary/client';

export const CONNECTION_OPTIONS = {
  server: { type: 'string' },
  'api-key': { type: 'string' },
  token: { type: 'string' },
} as const;

export function connect(values: { server?: string; 'api-key'?: string; token?: string }): TributaryClient {
  return new TributaryClient({
    address: values.server ?? process.env.TRIBUTARY_SERVER ?? 'localhost:50051',
    apiKey: values['api-key'] ?? process.env.TRIBUTARY_API_KEY,
    token: values.token ?? process.env.TRIBUTARY_TOKEN,
  });
}
