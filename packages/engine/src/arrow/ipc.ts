import { type Schema, Table, tableToIPC } from 'apache-arrow';

/** One node of a record batch in IPC pre-order: a column or a nested child. */
export interface FieldNode {
  length: number;
  nullCount: number;
}

/** The pieces of one record batch, in the order the IPC format lays them out. */
export interface BatchBody {
  nodes: FieldNode[];
  buffers: Uint8Array[];
}

const CONTINUATION = 0xffffffff;
const METADATA_V5 = 4;
const HEADER_RECORD_BATCH = 3;
const EOS_LENGTH = 8;

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The schema as an encapsulated IPC message. apache-arrow writes it (once per
 * query, so its cost does not matter); the end-of-stream marker it appends to
 * an empty table is cut off because more messages follow.
 */
export function encodeSchemaMessage(schema: Schema): Uint8Array {
  const stream = tableToIPC(new Table(schema), 'stream');
  return stream.subarray(0, stream.byteLength - EOS_LENGTH);
}

/**
 * One record batch as an encapsulated IPC message (continuation marker,
 * metadata length, flatbuffer `Message { RecordBatch }`, body), in a single
 * allocation. The flatbuffer is written by hand, front to back: the layout is
 * fixed apart from the two vector lengths, and building it here avoids the
 * per-buffer objects and copies of apache-arrow's generic writer, which would
 * dominate for the small batches a streaming query produces.
 */
export function encodeRecordBatchMessage(rowCount: number, body: BatchBody): Uint8Array {
  const { nodes, buffers } = body;
  let bodyLength = 0;
  for (const buffer of buffers) bodyLength += pad8(buffer.byteLength);

  // Flatbuffer layout (offsets from its start; all 8-byte aligned where int64s live):
  //   0 root offset · 4 Message vtable · 24 Message table · 48 RecordBatch vtable
  //   64 RecordBatch table · 88 nodes vector · then the buffers vector.
  const nodesVector = 88;
  const nodesData = nodesVector + 8;
  const buffersVector = nodesData + nodes.length * 16;
  const buffersData = buffersVector + 8;
  const flatbufferLength = buffersData + buffers.length * 16;
  const metadataLength = pad8(flatbufferLength);
  const prefix = 8;
  const out = new Uint8Array(prefix + metadataLength + bodyLength);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, metadataLength, true);

  const fb = prefix;
  const u16 = (at: number, value: number) => view.setUint16(fb + at, value, true);
  const u32 = (at: number, value: number) => view.setUint32(fb + at, value, true);
  const i64 = (at: number, value: number) => view.setBigInt64(fb + at, BigInt(value), true);

  u32(0, 24); // root: the Message table
  // Message vtable: 5 slots (version, header_type, header, bodyLength, custom_metadata).
  u16(4, 14);
  u16(6, 24);
  u16(8, 4); // version
  u16(10, 6); // header_type
  u16(12, 16); // header
  u16(14, 8); // bodyLength
  u16(16, 0); // custom_metadata: absent
  // Message table.
  view.setInt32(fb + 24, 24 - 4, true);
  u16(28, METADATA_V5);
  out[fb + 30] = HEADER_RECORD_BATCH;
  i64(32, bodyLength);
  u32(40, 64 - 40);
  // RecordBatch vtable: 4 slots (length, nodes, buffers, compression).
  u16(48, 12);
  u16(50, 24);
  u16(52, 8); // length
  u16(54, 4); // nodes
  u16(56, 16); // buffers
  u16(58, 0); // compression: absent
  // RecordBatch table.
  view.setInt32(fb + 64, 64 - 48, true);
  u32(68, nodesVector + 4 - 68);
  i64(72, rowCount);
  u32(80, buffersVector + 4 - 80);
  // Vectors of structs: the uint32 length sits right before 8-aligned elements.
  u32(nodesVector + 4, nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as FieldNode;
    i64(nodesData + i * 16, node.length);
    i64(nodesData + i * 16 + 8, node.nullCount);
  }
  u32(buffersVector + 4, buffers.length);
  let offset = 0;
  let write = prefix + metadataLength;
  for (let i = 0; i < buffers.length; i++) {
    const buffer = buffers[i] as Uint8Array;
    i64(buffersData + i * 16, offset);
    i64(buffersData + i * 16 + 8, buffer.byteLength);
    out.set(buffer, write);
    const padded = pad8(buffer.byteLength);
    offset += padded;
    write += padded;
  }
  return out;
}
