export { TributaryError } from '@tributary/core';
export { type ClientOptions, type QueryOptions, TributaryClient } from './client.js';
export { QueryResult } from './result.js';
