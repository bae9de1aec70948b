export { type CachedResult, cachedChunks, decodeCachedResult, encodeCachedResult } from './cached-result.js';
export { type CacheOutcome, ResultCache, type ResultKeyParts } from './result-cache.js';
