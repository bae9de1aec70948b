// Helpers shared by the agent tests: a cluster whose policy lets analysts
// read the lake (and not the warehouse), identities, and run-event readers.
import type { AgentRunEvent } from '@tributary/core';
import { Cluster, type ClusterOptions } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { signToken } from '../support/jwt.js';

/** Analysts read every column of the lake; nobody but admins is granted the warehouse. */
export const POLICIES = {
  grants: [{ id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } }],
};

export interface AgentCluster {
  fixtures: Fixtures;
  cluster: Cluster;
  /** Authorization headers by subject: ann and otto are analysts, ada an admin. */
  headers: Record<'ann' | 'otto' | 'ada', Record<string, string>>;
  tokens: Record<'ann' | 'otto' | 'ada', string>;
}

export async function startAgentCluster(options: Partial<ClusterOptions> = {}): Promise<AgentCluster> {
  const fixtures = await createFixtures();
  const cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    policies: POLICIES,
    ...options,
  });
  const tokens = {
    ann: await signToken(cluster, { sub: 'ann', roles: ['analyst'] }),
    otto: await signToken(cluster, { sub: 'otto', roles: ['analyst'] }),
    ada: await signToken(cluster, { sub: 'ada', roles: ['admin'] }),
  };
  const headers = {
    ann: { authorization: `Bearer ${tokens.ann}` },
    otto: { authorization: `Bearer ${tokens.otto}` },
    ada: { authorization: `Bearer ${tokens.ada}` },
  };
  return { fixtures, cluster, headers, tokens };
}

export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Reads an NDJSON body to its end. */
export async function ndjson<T = Record<string, unknown>>(response: Response): Promise<T[]> {
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function kinds(events: Pick<AgentRunEvent, 'kind'>[]): string[] {
  return events.map((e) => e.kind);
}
