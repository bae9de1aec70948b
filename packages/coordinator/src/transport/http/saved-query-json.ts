import type { SavedQueryRecord, SavedQueryVersionRecord } from '../../store/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function savedQueryLinks(id: string) {
  return {
    self: `/v1/queries/${id}`,
    versions: `/v1/queries/${id}/versions`,
    execute: `/v1/queries/${id}/execute`,
  };
}

/** A saved query as the HTTP API shows it: its current version's content. */
export function savedQueryJson(query: SavedQueryRecord) {
  return {
    id: query.id,
    name: query.name,
    description: query.description,
    owner: query.owner,
    version: query.version,
    sql: query.sql,
    parameters: query.parameters,
    created_at: iso(query.createdAt),
    updated_at: iso(query.updatedAt),
    links: savedQueryLinks(query.id),
  };
}

export function savedQueryVersionJson(version: SavedQueryVersionRecord) {
  return {
    query_id: version.queryId,
    version: version.version,
    name: version.name,
    description: version.description,
    sql: version.sql,
    parameters: version.parameters,
    author: version.author,
    comment: version.comment,
    created_at: iso(version.createdAt),
  };
}
