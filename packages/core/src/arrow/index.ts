export {
  ARROW_EOS,
  ARROW_STREAM_MEDIA_TYPE,
  collectTable,
  openBatchReader,
  splitResultStream,
} from './ipc-stream.js';
export { JsonRowEncoder, type JsonValue, type RowObject } from './json-values.js';
