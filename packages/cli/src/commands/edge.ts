import { parseArgs } from 'node:util';
import { createLogger } from '@tributary/core';
import { loadEdgeConfig, startEdge } from '@tributary/edge';
import { untilSignal } from '../process/signals.js';

export async function edgeCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', default: 'edge.yaml' } } });
  const config = loadEdgeConfig(values.config as string);
  const logger = createLogger({ service: 'edge' });
  const edge = await startEdge(config, logger);
  await untilSignal();
  await edge.stop();
  return 0;
}
