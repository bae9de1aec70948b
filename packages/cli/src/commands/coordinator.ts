import { parseArgs } from 'node:util';
import { loadCoordinatorConfig, startCoordinator } from '@tributary/coordinator';
import { createLogger } from '@tributary/core';
import { untilSignal } from '../process/signals.js';

export async function coordinatorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', default: 'coordinator.yaml' } },
  });
  const config = loadCoordinatorConfig(values.config as string);
  const logger = createLogger({ service: 'coordinator' });
  const coordinator = await startCoordinator(config, logger);
  await untilSignal();
  await coordinator.stop();
  return 0;
}
