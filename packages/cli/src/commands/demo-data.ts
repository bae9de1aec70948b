import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TributaryError } from '@tributary/core';
import { generateSampleData } from '../demo/sample-data.js';

/**
 * Writes the demo data set (the same one `tributary dev` serves) into a
 * directory, for edges started separately — a container's one-shot job, for
 * instance. An existing complete data set of the same scale is kept as it is,
 * so running it again is cheap.
 */
export async function demoDataCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { scale: { type: 'string', default: '1' } },
  });
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) {
    throw TributaryError.invalid('usage: tributary demo-data <dir> [--scale n]');
  }
  const scale = Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw TributaryError.invalid(`--scale must be a positive number, got ${values.scale}`);
  }
  const layout = await generateSampleData({ dir: resolve(target), scale });
  const rows = layout.tables.reduce((sum, t) => sum + t.rows, 0);
  process.stdout.write(
    [
      `Sample data ready in ${resolve(target)} (${layout.tables.length} tables, ${rows} rows)`,
      `  files source (lake):       ${layout.filesDir}`,
      `  duckdb source (warehouse): ${layout.duckdbFile}`,
      '',
    ].join('\n'),
  );
  return 0;
}
