import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { QueryEngine } from './engine.js';
import { allowedPaths } from './lockdown.js';
import { collect, failure, openTestEngine, referenceConnection } from './testing/fixtures.js';

// Files: <root>/data (allowed: CSV, Parquet, JSON, a DuckDB database),
// <root>/data-secret (a sibling sharing the prefix) and <root>/single.csv
// (allowed as a single file), <root>/other.csv (not allowed).
let root: string;
let data: string;
let engine: QueryEngine;

const rows = async (sql: string) =>
  (await collect(engine.stream(sql))).table.toArray().map((row) => row.toJSON());

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'engine-lockdown-'));
  data = join(root, 'data');
  mkdirSync(data);
  mkdirSync(join(root, 'data-secret'));
  writeFileSync(join(data, 'people.csv'), 'id,name\n1,ada\n2,grace\n');
  writeFileSync(join(data, 'events.json'), '[{"id": 1, "kind": "login"}]');
  writeFileSync(join(root, 'data-secret', 'keys.csv'), 'secret\nhunter2\n');
  writeFileSync(join(root, 'single.csv'), 'x\n7\n');
  writeFileSync(join(root, 'other.csv'), 'x\n8\n');
  const reference = await referenceConnection();
  await reference.run(
    `COPY (SELECT range AS id, 'p' || range AS label FROM range(5)) TO '${join(data, 'items.parquet')}'`,
  );
  await reference.run(`ATTACH '${join(data, 'shop.duckdb')}' AS shop_writer`);
  await reference.run('CREATE TABLE shop_writer.orders AS SELECT range AS id FROM range(3)');
  // Strings stored in DuckDB's own format (dictionary/FSST compressed blocks).
  await reference.run(
    `CREATE TABLE shop_writer.notes AS SELECT range AS id,
       CASE WHEN range % 9 = 0 THEN NULL ELSE 'note ' || (range % 500) || repeat('-', (range % 30)::INTEGER) END AS text
     FROM range(100000)`,
  );
  await reference.run('DETACH shop_writer');

  engine = await openTestEngine(
    { allowedDirectories: [data, join(root, 'single.csv')] },
    async (connection) => {
      await connection.run(`ATTACH '${join(data, 'shop.duckdb')}' AS shop (READ_ONLY)`);
      await connection.run('CREATE SCHEMA files');
      await connection.run(
        `CREATE VIEW files.people AS SELECT * FROM read_csv('${join(data, 'people.csv')}')`,
      );
      await connection.run(
        `CREATE VIEW files.items AS SELECT * FROM read_parquet('${join(data, '*.parquet')}')`,
      );
      await connection.run(
        `CREATE VIEW files.events AS SELECT * FROM read_json('${join(data, 'events.json')}')`,
      );
    },
  );
});

after(async () => {
  assert.equal(engine.activeQueries, 0);
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

describe('lock-down', () => {
  test('views created in setup over CSV, Parquet and JSON in allowed directories keep working', async () => {
    assert.deepEqual(await rows('SELECT * FROM files.people ORDER BY id'), [
      { id: 1n, name: 'ada' },
      { id: 2n, name: 'grace' },
    ]);
    assert.equal((await rows('SELECT count(*) AS n FROM files.items'))[0]?.n, 5n);
    assert.deepEqual(await rows('SELECT kind FROM files.events'), [{ kind: 'login' }]);
  });

  test('a DuckDB file attached READ_ONLY in setup can be queried', async () => {
    assert.equal((await rows('SELECT count(*) AS n FROM shop.orders'))[0]?.n, 3n);
  });

  test('strings stored in an attached database file are read exactly', async () => {
    const { table } = await collect(engine.stream('SELECT id, text FROM shop.notes ORDER BY id'));
    const ids = table.getChild('id');
    const texts = table.getChild('text');
    assert.equal(table.numRows, 100_000);
    for (let row = 0; row < table.numRows; row++) {
      const id = Number(ids?.get(row));
      const expected = id % 9 === 0 ? null : `note ${id % 500}${'-'.repeat(id % 30)}`;
      if (texts?.get(row) !== expected) assert.fail(`row ${row}: ${texts?.get(row)} !== ${expected}`);
    }
  });

  test('queries may read files directly inside an allowed directory, or an allowed single file', async () => {
    assert.equal((await rows(`SELECT count(*) AS n FROM read_csv('${join(data, 'people.csv')}')`))[0]?.n, 2n);
    assert.equal((await rows(`SELECT x FROM read_csv('${join(root, 'single.csv')}')`))[0]?.x, 7n);
  });

  for (const [label, sql] of [
    ['/etc/passwd through read_csv', `SELECT * FROM read_csv('/etc/passwd')`],
    ['a file outside the sources', `SELECT * FROM read_csv('${'ROOT'}/other.csv')`],
    ['a sibling directory sharing the prefix', `SELECT * FROM read_csv('${'ROOT'}/data-secret/keys.csv')`],
    ['.. out of an allowed directory', `SELECT * FROM read_csv('${'ROOT'}/data/../other.csv')`],
    ['read_text of /etc/hosts', `SELECT * FROM read_text('/etc/hosts')`],
    ['read_json of /etc/hosts', `SELECT * FROM read_json('/etc/hosts')`],
    ['glob over /etc', `SELECT * FROM glob('/etc/*')`],
  ] as const) {
    test(`file access is refused: ${label}`, async () => {
      const error = await failure(collect(engine.stream(sql.replaceAll('ROOT', root))));
      assert.equal(error.code, 'INVALID_ARGUMENT');
      assert.match(error.message, /file access outside the configured sources is not allowed/);
    });
  }

  test('settings are locked even for trusted SQL', async () => {
    const error = await failure(engine.runTrusted(`SET memory_limit = '10GB'`));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /configuration has been locked/);
    const limit = await engine.runTrusted<{ value: string }>(
      `SELECT current_setting('memory_limit') AS value`,
    );
    assert.match(limit[0]?.value ?? '', /MiB/);
  });

  test('extensions cannot be installed or loaded, and nothing new can be attached', async () => {
    for (const sql of ['INSTALL httpfs', 'LOAD httpfs', `ATTACH '${join(data, 'shop.duckdb')}' AS again`]) {
      const error = await failure(engine.runTrusted(sql));
      assert.equal(error.code, 'INVALID_ARGUMENT', sql);
    }
  });

  test('the lock-down settings are in force', async () => {
    const settings = await engine.runTrusted<{ name: string; value: string }>(
      `SELECT name, value FROM duckdb_settings()
       WHERE name IN ('enable_external_access', 'autoload_known_extensions', 'autoinstall_known_extensions', 'lock_configuration')
       ORDER BY name`,
    );
    assert.deepEqual(Object.fromEntries(settings.map((setting) => [setting.name, setting.value])), {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      enable_external_access: 'false',
      lock_configuration: 'true',
    });
  });
});

test('allowedPaths gives directories a trailing separator and keeps files apart', () => {
  const { directories, files } = allowedPaths([data, join(root, 'single.csv'), join(root, 'missing')]);
  assert.deepEqual(directories, [`${data}/`, `${join(root, 'missing')}/`]);
  assert.deepEqual(files, [join(root, 'single.csv')]);
});
