import type { Logger } from '@tributary/core';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import { MemoryState } from './memory-state.js';
import { RedisState } from './redis-state.js';
import type { SharedState } from './shared-state.js';

/** Redis when `redis.url` is configured, this process otherwise. */
export async function openSharedState(config: CoordinatorConfig, logger: Logger): Promise<SharedState> {
  const maxBlobBytes = config.result_cache.max_local_bytes;
  if (!config.redis?.url) return new MemoryState({ maxBlobBytes });
  return RedisState.connect({
    url: config.redis.url,
    keyPrefix: config.redis.key_prefix,
    commandTimeoutMs: config.redis.command_timeout_ms,
    connectTimeoutMs: config.redis.connect_timeout_ms,
    maxFallbackBlobBytes: maxBlobBytes,
    logger: logger.child({ component: 'redis' }),
  });
}
