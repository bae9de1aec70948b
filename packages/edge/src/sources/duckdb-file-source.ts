import { access, constants } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '@tributary/core';
import type { SourceConnector } from './source-connector.js';

/** A DuckDB database file, attached read-only under the source's name. */
export class DuckDbFileSource implements SourceConnector {
  readonly kind = 'duckdb';
  readonly readablePaths: string[] = [];

  constructor(
    readonly name: string,
    private readonly path: string,
  ) {}

  async attach(connection: DuckDBConnection): Promise<void> {
    await this.probe();
    // Configuration, not caller input, so the path may be spelled out as a literal.
    await connection.run(`ATTACH ${quoteLiteral(this.path)} AS ${quoteIdentifier(this.name)} (READ_ONLY)`);
  }

  async probe(): Promise<void> {
    await access(this.path, constants.R_OK);
  }
}
