import protobuf from "protobufjs/minimal.js";

/**
 * Reads `metadata_props` (field 14 of onnx.ModelProto, repeated
 * StringStringEntryProto {1: key, 2: value}) from an ONNX file.
 * onnxruntime-node does not expose custom metadata, so the file is walked with
 * protobufjs' wire reader: only the top level is visited and the graph (the
 * weights) is skipped by length, never decoded.
 */
export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  const props: Record<string, string> = {};
  const reader = protobuf.Reader.create(model);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 14 && wireType === 2) {
      const entry = protobuf.Reader.create(reader.bytes());
      let key = "";
      let value = "";
      while (entry.pos < entry.len) {
        const t = entry.uint32();
        if (t >>> 3 === 1 && (t & 7) === 2) key = entry.string();
        else if (t >>> 3 === 2 && (t & 7) === 2) value = entry.string();
        else entry.skipType(t & 7);
      }
      props[key] = value;
    } else {
      reader.skipType(wireType);
    }
  }
  return props;
}
