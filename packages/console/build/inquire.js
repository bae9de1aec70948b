// Replaces @protobufjs/inquire in the browser bundle. protobufjs probes for
// optional Node modules ("buffer", "long") through an eval'd require; in a
// browser there are none to find, and under the console's Content-Security-
// Policy the eval would only be reported as a violation. long.js is supplied
// explicitly instead (core's protobuf-runtime).
export default function inquire() {
  return null;
}
