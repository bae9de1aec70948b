// An agent's own rate-limit tier: requests made with its key count against
// the agent (its tier, its own counter), not against its owner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectHttpError } from '../support/assertions.js';
import { type AgentCluster, startAgentCluster } from './support.js';

let env: AgentCluster;

before(async () => {
  env = await startAgentCluster({
    coordinator: {
      rate_limits: {
        enabled: true,
        tiers: { agent_small: { requests_per_minute: 2, concurrent_queries: 1 } },
      },
    },
  });
});

after(async () => {
  await env?.cluster.stop();
  env?.fixtures.cleanup();
});

test("requests with an agent's key count against the agent's own tier", async () => {
  const call = (method: string, path: string, headers: Record<string, string>, json?: unknown) =>
    env.cluster.http(path, { method, headers, json });
  const definition = {
    name: 'limited',
    tools: ['query.run'],
    scope: { tables: [{ table: 'lake.main.customers', columns: [] }] },
    playbook: [{ name: 'one', sql: 'SELECT 1 AS x' }],
  };
  await expectHttpError(
    await call('POST', '/v1/agents', env.headers.ann, { ...definition, rate_limit_tier: 'platinum' }),
    400,
    'INVALID_ARGUMENT',
  );
  const created = await call('POST', '/v1/agents', env.headers.ann, {
    ...definition,
    rate_limit_tier: 'agent_small',
  });
  assert.equal(created.status, 201);
  const id = ((await created.json()) as { id: string }).id;
  assert.equal(
    (await call('POST', '/v1/users', env.headers.ada, { subject: 'ann', roles: ['analyst'] })).status,
    201,
  );
  const issued = await call('POST', `/v1/agents/${id}/api-keys`, env.headers.ann, { name: 'cron' });
  const { secret } = (await issued.json()) as { secret: string };
  const asAgent = { 'x-api-key': secret };

  for (let i = 0; i < 2; i++) {
    const response = await call('GET', `/v1/agents/${id}`, asAgent);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('ratelimit-limit'), '2');
  }
  const refused = await expectHttpError(await call('GET', `/v1/agents/${id}`, asAgent), 429, 'RATE_LIMITED');
  assert.equal(refused.details?.tier, 'agent_small');
  // The owner is counted apart, in the owner's own tier.
  const owner = await call('GET', `/v1/agents/${id}`, env.headers.ann);
  assert.equal(owner.status, 200);
  assert.notEqual(owner.headers.get('ratelimit-limit'), '2');
});
