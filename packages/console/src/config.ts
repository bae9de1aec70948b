/** What the coordinator tells the console at `/console/config.json`. */
export interface ConsoleConfig {
  /** The gRPC-Web endpoint, or null when the coordinator has none. */
  grpcWebUrl: string | null;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) throw new Error(`console configuration: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}
