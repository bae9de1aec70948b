/** The version every process reports (Ping, /health/live). */
export const TRIBUTARY_VERSION = '0.1.0';
