import Long from 'long';
import protobuf from 'protobufjs/minimal.js';

// 64-bit fields decode through long.js (then to decimal strings) in browsers
// too, where protobufjs cannot find it on its own. Imported by the generated
// encoders before they run, so their defaults see it.
protobuf.util.Long = Long;
protobuf.configure();

export default protobuf;
