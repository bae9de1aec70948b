import type { StoreDatabase } from './database.js';

/**
 * A numbered schema change. Applied once, in order, each in its own
 * transaction together with its row in `schema_migrations`, so a crash
 * leaves either all of a migration or none of it. Released migrations are
 * never edited: a change to the schema is a new migration at the end.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

// Conventions: every table is keyed by tenant first; times are TIMESTAMP in
// UTC; JSON documents and small lists are VARCHAR holding JSON text (no JSON
// extension needed). Indexes only on columns that are never updated, because
// DuckDB implements an update of an indexed column as delete + insert.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'identities: tenants, users, roles, API keys',
    statements: [
      `CREATE TABLE tenants (
        id VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        settings VARCHAR NOT NULL,
        hash_salt VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
      )`,
      `CREATE TABLE users (
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        display_name VARCHAR NOT NULL,
        attributes VARCHAR NOT NULL,
        disabled BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, id),
        UNIQUE (tenant, subject)
      )`,
      `CREATE TABLE roles (
        tenant VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        built_in BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, name)
      )`,
      `CREATE TABLE role_assignments (
        tenant VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        PRIMARY KEY (tenant, user_id, role)
      )`,
      `CREATE TABLE api_keys (
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        owner_user_id VARCHAR NOT NULL,
        scopes VARCHAR NOT NULL,
        expires_at TIMESTAMP,
        created_at TIMESTAMP NOT NULL,
        last_used_at TIMESTAMP,
        revoked_at TIMESTAMP,
        rotated_at TIMESTAMP,
        previous_secret_expires_at TIMESTAMP,
        PRIMARY KEY (tenant, id)
      )`,
      // Subjects whose user an admin deleted: their tokens are refused, not
      // treated as unknown identities. Cleared when the subject's user is created again.
      `CREATE TABLE deleted_subjects (
        tenant VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        deleted_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, subject)
      )`,
      // A key has one current secret and, after rotations, older ones that
      // work until their expires_at. Only SHA-256 digests are stored.
      `CREATE TABLE api_key_secrets (
        sha256 VARCHAR PRIMARY KEY,
        tenant VARCHAR NOT NULL,
        key_id VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP
      )`,
    ],
  },
  {
    version: 2,
    name: 'governance: versioned policy documents, table and column tags',
    statements: [
      `CREATE TABLE policy_versions (
        tenant VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        document VARCHAR NOT NULL,
        author VARCHAR NOT NULL,
        comment VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, version)
      )`,
      // One row per tag; column_name is '' for a tag of the table itself.
      `CREATE TABLE table_tags (
        tenant VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        column_name VARCHAR NOT NULL,
        tag VARCHAR NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, table_name, column_name, tag)
      )`,
    ],
  },
  {
    version: 3,
    name: 'audit log',
    statements: [
      `CREATE SEQUENCE audit_log_seq`,
      // Append-only and large: no index (an ART index lives in memory).
      // seq grows with insertion, so DuckDB's min/max zone maps keep the
      // newest-first, seq-keyed pages cheap.
      `CREATE TABLE audit_log (
        seq BIGINT NOT NULL DEFAULT nextval('audit_log_seq'),
        tenant VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        kind VARCHAR NOT NULL,
        request_id VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        key_id VARCHAR,
        action VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        decision VARCHAR,
        detail VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: 'groups of users',
    statements: [
      `CREATE TABLE groups (
        tenant VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, name)
      )`,
      `CREATE TABLE group_members (
        tenant VARCHAR NOT NULL,
        group_name VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        PRIMARY KEY (tenant, group_name, user_id)
      )`,
    ],
  },
  {
    version: 5,
    name: 'saved queries and their versions',
    statements: [
      // The current state of each saved query; names are unique per tenant
      // (checked by the single writer: name can change, so no index on it).
      `CREATE TABLE saved_queries (
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        owner VARCHAR NOT NULL,
        current_version INTEGER NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, id)
      )`,
      // Every version as it was saved, never changed; parameters as JSON text.
      `CREATE TABLE saved_query_versions (
        tenant VARCHAR NOT NULL,
        query_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        sql VARCHAR NOT NULL,
        parameters VARCHAR NOT NULL,
        author VARCHAR NOT NULL,
        comment VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, query_id, version)
      )`,
    ],
  },
  {
    version: 6,
    name: 'agents and their runs',
    statements: [
      // The definition (instructions, tools, scope, limits, playbook) as JSON
      // text; names are unique per tenant (checked by the single writer).
      `CREATE TABLE agents (
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        owner VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        definition VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (tenant, id)
      )`,
      // Run ids sort by start time; the transcript, error and answer are JSON in `detail`.
      `CREATE TABLE agent_runs (
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        agent_id VARCHAR NOT NULL,
        agent_version INTEGER NOT NULL,
        status VARCHAR NOT NULL,
        started_by VARCHAR NOT NULL,
        input VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        detail VARCHAR NOT NULL,
        PRIMARY KEY (tenant, id)
      )`,
    ],
  },
];

/** Brings the database's schema up to the last migration; returns the versions it applied. */
export async function migrate(
  db: StoreDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  for (let i = 1; i < migrations.length; i++) {
    if ((migrations[i] as Migration).version <= (migrations[i - 1] as Migration).version) {
      throw new Error('migrations must be in increasing version order');
    }
  }
  await db.write(async (sql) => {
    await sql.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name VARCHAR NOT NULL,
      applied_at TIMESTAMP NOT NULL
    )`);
  });
  const applied = new Set(
    (await db.read((sql) => sql.all('SELECT version FROM schema_migrations'))).map((row) =>
      Number(row.version),
    ),
  );
  const newest = Math.max(0, ...applied);
  const known = migrations.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new Error(
      `the store's schema (version ${newest}) is newer than this coordinator knows (version ${known}); upgrade the coordinator`,
    );
  }
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.write(async (sql) => {
      for (const statement of migration.statements) await sql.run(statement);
      await sql.run(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, epoch_ms($at::BIGINT))',
        { version: migration.version, name: migration.name, at: Date.now() },
      );
    });
    done.push(migration.version);
  }
  return done;
}
