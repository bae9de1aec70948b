export { WritableByteSink } from './byte-sink.js';
export { csvHeader, csvRows } from './csv.js';
export {
  ARROW_EOS,
  ARROW_STREAM_MEDIA_TYPE,
  collectTable,
  openBatchReader,
  splitResultStream,
} from './ipc-stream.js';
export {
  decimalToString,
  epochToIso,
  JsonRowEncoder,
  type JsonValue,
  type RowObject,
} from './json-values.js';
