import { ConfigError, TributaryError } from '@tributary/core';
import { apiKeyCommand } from './commands/api-key.js';
import { catalogCommand } from './commands/catalog.js';
import { coordinatorCommand } from './commands/coordinator.js';
import { demoDataCommand } from './commands/demo-data.js';
import { devCommand } from './commands/dev.js';
import { edgeCommand } from './commands/edge.js';
import { queryCommand } from './commands/query.js';

const USAGE = `tributary — governed, federated SQL

Usage:
  tributary query <sql> [--param value]... [--format table|csv|json|ndjson|arrow] [--output file] [--limit n]
  tributary catalog sources | tables [filter] | describe <source.schema.table> | preview <table> [--limit n]
  tributary coordinator --config coordinator.yaml
  tributary edge --config edge.yaml
  tributary dev [--dir .tributary] [--scale 1]     coordinator + edge + sample data, one command
  tributary demo-data <dir> [--scale 1]            write the sample data set (sources lake and warehouse)
  tributary api-key                                a new API key and the SHA-256 a configuration stores for it

Connection (query, catalog): --server host:port (env TRIBUTARY_SERVER, default localhost:50051),
  --api-key (env TRIBUTARY_API_KEY) or --token (env TRIBUTARY_TOKEN).
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  query: queryCommand,
  catalog: catalogCommand,
  coordinator: coordinatorCommand,
  edge: edgeCommand,
  dev: devCommand,
  'demo-data': demoDataCommand,
  'api-key': apiKeyCommand,
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command ${name}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof TributaryError) {
      const requestId = error.details?.request_id ? ` (request ${error.details.request_id})` : '';
      process.stderr.write(`error: ${error.code}: ${error.message}${requestId}\n`);
    } else if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    } else {
      process.stderr.write(`error: ${(error as Error).stack ?? error}\n`);
    }
    return 1;
  }
}
