export { ConfigError, interpolateEnv, loadConfigFile, resolveFrom, validateConfig } from './load.js';
