// The Node client's retries against a real grpc-js server that fails a
// scripted number of times per method before it answers.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  Metadata,
  Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  bindServer,
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  GRPC_SERVER_OPTIONS,
  REQUEST_ID_KEY,
  TributaryError,
  toGrpcError,
  tributaryV1,
} from '@tributary/core';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { TributaryClient } from '../client.js';
import type { RetryEvent } from '../retry/index.js';
import { AdminClient } from './admin-client.js';
import { AgentClient } from './agent-client.js';
import { CatalogClient } from './catalog-client.js';

interface Failure {
  code: status;
  trailers?: Record<string, string>;
  /** Sent as the `tributary-error-details-bin` trailer. */
  details?: Record<string, unknown>;
  /** Fail a stream after its first message instead of before it. */
  afterFirstMessage?: boolean;
}

/** The rows every streaming method answers with. */
const ROWS = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });
const IPC = tableToIPC(ROWS, 'stream');
const IPC_WITHOUT_EOS = IPC.subarray(0, IPC.length - 8);

class ScriptedServer {
  readonly server = new Server(GRPC_SERVER_OPTIONS);
  readonly calls = new Map<string, number>();
  /** The `x-request-id` of every call, in order. */
  readonly requestIds: string[] = [];
  private readonly script = new Map<string, Failure[]>();
  address = '';

  async start(): Promise<void> {
    const v1 = tributaryV1();
    for (const service of [v1.CatalogService, v1.QueryService, v1.AdminService]) {
      this.server.addService(service.service, this.handlers(service.service));
    }
    this.address = `127.0.0.1:${await bindServer(this.server, '127.0.0.1:0')}`;
  }

  /** The next `failures.length` calls of `method` fail, in order. */
  fail(method: string, ...failures: Failure[]): void {
    this.script.set(method, [...(this.script.get(method) ?? []), ...failures]);
  }

  reset(): void {
    this.calls.clear();
    this.requestIds.length = 0;
    this.script.clear();
  }

  private next(method: string, metadata: Metadata): Failure | undefined {
    this.requestIds.push(String(metadata.get(REQUEST_ID_KEY)[0]));
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    return this.script.get(method)?.shift();
  }

  private handlers(service: ServiceDefinition): UntypedServiceImplementation {
    const handlers: UntypedServiceImplementation = {};
    for (const [method, definition] of Object.entries(service)) {
      handlers[method] = definition.responseStream
        ? (call: ServerWritableStream<unknown, unknown>) => {
            const failure = this.next(method, call.metadata);
            if (failure && !failure.afterFirstMessage) return call.emit('error', grpcError(failure));
            call.write({ arrow: { ipc: IPC_WITHOUT_EOS, row_count: ROWS.numRows } });
            if (failure) return call.emit('error', grpcError(failure));
            call.write({ metadata: { query_id: 'q-1', row_count: ROWS.numRows } });
            call.end();
          }
        : (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
            const failure = this.next(method, call.metadata);
            if (failure) callback(grpcError(failure));
            else callback(null, {});
          };
    }
    return handlers;
  }
}

function grpcError(failure: Failure) {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(failure.trailers ?? {})) metadata.set(key, value);
  if (failure.details) metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(failure.details)));
  return { code: failure.code, details: 'scripted failure', metadata };
}

const UNAVAILABLE: Failure = { code: status.UNAVAILABLE };
const rateLimited = (retryAfter: string): Failure => ({
  code: status.RESOURCE_EXHAUSTED,
  trailers: { [ERROR_CODE_KEY]: 'RATE_LIMITED', 'retry-after': retryAfter },
});

const server = new ScriptedServer();
let client: TributaryClient;
let retries: (RetryEvent & { method: string })[] = [];

function connect(options: Partial<ConstructorParameters<typeof TributaryClient>[0]> = {}): TributaryClient {
  return new TributaryClient({
    address: server.address,
    apiKey: 'trb_live_test',
    retry: { initialBackoffMs: 1, maxBackoffMs: 5 },
    onRetry: (event) => retries.push(event),
    ...options,
  });
}

before(async () => {
  await server.start();
  client = connect();
});

after(() => {
  client.close();
  server.server.forceShutdown();
});

beforeEach(() => {
  server.reset();
  retries = [];
});

const rpcName = (method: string) => method[0]?.toUpperCase() + method.slice(1);
const methodsOf = (prototype: object) =>
  Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');

describe('every RPC has a typed method', () => {
  const CASES = [
    { service: 'CatalogService', client: CatalogClient },
    { service: 'AdminService', client: AdminClient },
    { service: 'AgentService', client: AgentClient },
  ] as const;
  for (const { service, client: type } of CASES) {
    test(service, () => {
      const rpcs = Object.keys(tributaryV1()[service].service);
      assert.deepEqual(methodsOf(type.prototype).map(rpcName).sort(), rpcs.sort());
    });
  }
});

describe('reads are retried, changes never', () => {
  const invoke = (target: object, method: string) =>
    (target as Record<string, (request: object) => Promise<unknown> | { toArray(): Promise<unknown> }>)[
      method
    ]?.({
      table: 'lake.main.t',
    });
  const settle = async (outcome: unknown) =>
    outcome && typeof (outcome as { toArray?: unknown }).toArray === 'function'
      ? (outcome as { toArray(): Promise<unknown> }).toArray()
      : outcome;

  const ALL = [
    ...methodsOf(CatalogClient.prototype).map((method) => ({ target: 'catalog' as const, method })),
    ...methodsOf(AdminClient.prototype).map((method) => ({ target: 'admin' as const, method })),
  ];
  for (const { target, method } of ALL) {
    const read = target === 'catalog' || /^(get|list)/.test(method);
    test(`${target}.${method}: ${read ? 'retried' : 'not retried'} after UNAVAILABLE`, async () => {
      server.fail(rpcName(method), UNAVAILABLE);
      const outcome = settle(invoke(client[target], method));
      if (read) await outcome;
      else await assert.rejects(outcome, { code: 'UNAVAILABLE' });
      assert.equal(server.calls.get(rpcName(method)), read ? 2 : 1);
    });
  }

  test('validate and build are retried', async () => {
    server.fail('ValidateQuery', UNAVAILABLE, UNAVAILABLE);
    server.fail('BuildQuery', UNAVAILABLE);
    await client.validate('SELECT 1');
    await client.build({ table: 'lake.main.t' });
    assert.equal(server.calls.get('ValidateQuery'), 3);
    assert.equal(server.calls.get('BuildQuery'), 2);
  });

  test('gives up after maxAttempts with the last failure', async () => {
    server.fail('GetTable', UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    await assert.rejects(client.getTable('lake.main.t'), { code: 'UNAVAILABLE' });
    assert.equal(server.calls.get('GetTable'), 4);
  });
});

describe('which failures are retried', () => {
  const CASES: { name: string; failure: Failure; retried: boolean; delayMs?: number }[] = [
    { name: 'UNAVAILABLE', failure: UNAVAILABLE, retried: true },
    { name: 'RATE_LIMITED with Retry-After', failure: rateLimited('0.05'), retried: true, delayMs: 50 },
    {
      name: 'RATE_LIMITED as the coordinator sends it (retry_after_ms detail, Retry-After in seconds)',
      failure: (() => {
        const sent = toGrpcError(new TributaryError('RATE_LIMITED', 'busy', { retry_after_ms: 30 }), 'r-1');
        return {
          code: sent.code,
          trailers: {
            [ERROR_CODE_KEY]: 'RATE_LIMITED',
            'retry-after': String(sent.metadata.get('retry-after')[0]),
          },
          details: { retry_after_ms: 30 },
        };
      })(),
      retried: true,
      delayMs: 30,
    },
    {
      name: 'RATE_LIMITED without a hint',
      failure: { code: status.RESOURCE_EXHAUSTED, trailers: { [ERROR_CODE_KEY]: 'RATE_LIMITED' } },
      retried: true,
    },
    {
      name: 'bare RESOURCE_EXHAUSTED with grpc-retry-pushback-ms',
      failure: { code: status.RESOURCE_EXHAUSTED, trailers: { 'grpc-retry-pushback-ms': '20' } },
      retried: true,
      delayMs: 20,
    },
    {
      name: 'PAYLOAD_TOO_LARGE (same gRPC status as a rate limit)',
      failure: { code: status.RESOURCE_EXHAUSTED, trailers: { [ERROR_CODE_KEY]: 'PAYLOAD_TOO_LARGE' } },
      retried: false,
    },
    { name: 'bare RESOURCE_EXHAUSTED', failure: { code: status.RESOURCE_EXHAUSTED }, retried: false },
    {
      name: 'UNAVAILABLE with a negative pushback',
      failure: { code: status.UNAVAILABLE, trailers: { 'grpc-retry-pushback-ms': '-1' } },
      retried: false,
    },
    { name: 'NOT_FOUND', failure: { code: status.NOT_FOUND }, retried: false },
    { name: 'INTERNAL', failure: { code: status.INTERNAL }, retried: false },
    { name: 'DEADLINE_EXCEEDED', failure: { code: status.DEADLINE_EXCEEDED }, retried: false },
  ];
  for (const { name, failure, retried, delayMs } of CASES) {
    test(`${name}: ${retried ? 'retried' : 'surfaces at once'}`, async () => {
      server.fail('ListSources', failure);
      const outcome = client.listSources();
      if (retried) await outcome;
      else await assert.rejects(outcome);
      assert.equal(server.calls.get('ListSources'), retried ? 2 : 1);
      if (delayMs !== undefined)
        assert.deepEqual(
          retries.map((r) => r.delayMs),
          [delayMs],
        );
    });
  }
});

describe('streaming queries', () => {
  test('retried while they fail before the first message', async () => {
    server.fail('ExecuteQuery', UNAVAILABLE, UNAVAILABLE);
    const result = client.query('SELECT n FROM t');
    assert.deepEqual(await result.toArray(), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(result.metadata?.query_id, 'q-1');
    assert.equal(server.calls.get('ExecuteQuery'), 3);
    assert.deepEqual(
      retries.map((r) => [r.method, r.attempt]),
      [
        ['ExecuteQuery', 1],
        ['ExecuteQuery', 2],
      ],
    );
  });

  test('never retried after the first message', async () => {
    server.fail('ExecuteQuery', { ...UNAVAILABLE, afterFirstMessage: true });
    await assert.rejects(client.query('SELECT n FROM t').toArray(), { code: 'UNAVAILABLE' });
    assert.equal(server.calls.get('ExecuteQuery'), 1);
  });

  test('table previews are retried the same way', async () => {
    server.fail('GetRecords', UNAVAILABLE);
    assert.equal((await client.getRecords('lake.main.t').toTable()).numRows, 3);
    assert.equal(server.calls.get('GetRecords'), 2);
  });
});

describe('request ids', () => {
  test('every attempt of a call carries the same x-request-id, and results report it', async () => {
    server.fail('ExecuteQuery', UNAVAILABLE);
    const result = client.query('SELECT 1');
    await result.toArray();
    const [first, second] = server.requestIds;
    assert.ok(first && first === second, `${first} / ${second}`);
    assert.equal(result.requestId, first);
  });

  test('a caller-chosen request id is sent as it is', async () => {
    server.fail('GetTable', UNAVAILABLE);
    await client.getTable('lake.main.t', { requestId: 'trace-42' });
    assert.deepEqual(server.requestIds, ['trace-42', 'trace-42']);
  });

  test('separate calls get separate ids', async () => {
    await client.listSources();
    await client.listSources();
    assert.equal(new Set(server.requestIds).size, 2);
  });
});

describe('settings and cancellation', () => {
  test('retry: false on the client turns retries off', async () => {
    const plain = connect({ retry: false });
    try {
      server.fail('GetTable', UNAVAILABLE);
      await assert.rejects(plain.getTable('lake.main.t'), { code: 'UNAVAILABLE' });
      assert.equal(server.calls.get('GetTable'), 1);
    } finally {
      plain.close();
    }
  });

  test('per call: false, or other limits', async () => {
    server.fail('GetTable', UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    await assert.rejects(client.getTable('lake.main.t', { retry: false }), { code: 'UNAVAILABLE' });
    assert.equal(server.calls.get('GetTable'), 1);
    await assert.rejects(client.getTable('lake.main.t', { retry: { maxAttempts: 2 } }), {
      code: 'UNAVAILABLE',
    });
    assert.equal(server.calls.get('GetTable'), 3);
  });

  test('a retry hint past the call deadline surfaces the failure at once', async () => {
    server.fail('GetTable', rateLimited('20'));
    await assert.rejects(client.getTable('lake.main.t', { timeoutMs: 5_000 }), { code: 'RATE_LIMITED' });
    assert.equal(server.calls.get('GetTable'), 1);
  });

  test('aborting stops a unary call’s retries at once', async () => {
    const controller = new AbortController();
    const waiting = connect({ onRetry: () => controller.abort() });
    try {
      server.fail('GetTable', rateLimited('10'), rateLimited('10'));
      await assert.rejects(waiting.getTable('lake.main.t', { signal: controller.signal }), {
        code: 'CANCELLED',
      });
      assert.equal(server.calls.get('GetTable'), 1);
    } finally {
      waiting.close();
    }
  });

  test('aborting stops a query’s retries at once', async () => {
    const controller = new AbortController();
    const waiting = connect({ onRetry: () => controller.abort() });
    try {
      server.fail('ExecuteQuery', rateLimited('10'), rateLimited('10'));
      await assert.rejects(waiting.query('SELECT 1', { signal: controller.signal }).toArray(), {
        code: 'CANCELLED',
      });
      assert.equal(server.calls.get('ExecuteQuery'), 1);
    } finally {
      waiting.close();
    }
  });

  test('closing the client ends calls waiting to retry, and refuses new ones', async () => {
    const closing = connect();
    server.fail('GetTable', rateLimited('10'));
    server.fail('ExecuteQuery', rateLimited('10'));
    const waiting = [closing.getTable('lake.main.t'), closing.query('SELECT 1').toArray()];
    while (server.calls.size < 2) await new Promise((resolve) => setImmediate(resolve));
    closing.close();
    for (const outcome of [...waiting, closing.listSources(), closing.query('SELECT 1').toArray()]) {
      await assert.rejects(outcome, { code: 'CANCELLED', message: 'the client is closed' });
    }
    assert.deepEqual([...server.calls.values()], [1, 1]);
  });

  test('invalid retry settings are refused', async () => {
    await assert.rejects(client.getTable('lake.main.t', { retry: { maxAttempts: 0 } }), {
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(client.query('SELECT 1', { retry: { multiplier: 0 } }).toArray(), {
      code: 'INVALID_ARGUMENT',
    });
    assert.equal(server.calls.size, 0);
  });
});
