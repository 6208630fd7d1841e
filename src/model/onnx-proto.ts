import protobuf from "protobufjs";

/**
 * The few ONNX messages the input-shape rewrite decodes and encodes whole
 * (tensors and value infos); everything else in a model is copied byte for
 * byte. Field numbers from onnx.proto.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    TensorProto: {
      fields: {
        dims: { rule: "repeated", type: "int64", id: 1 },
        dataType: { type: "int32", id: 2 },
        floatData: { rule: "repeated", type: "float", id: 4 },
        int64Data: { rule: "repeated", type: "int64", id: 7 },
        name: { type: "string", id: 8 },
        rawData: { type: "bytes", id: 9 },
      },
    },
    ValueInfoProto: { fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } } },
    TypeProto: { fields: { tensorType: { type: "TensorTypeProto", id: 1 } } },
    TensorTypeProto: { fields: { elemType: { type: "int32", id: 1 }, shape: { type: "ShapeProto", id: 2 } } },
    ShapeProto: { fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } } },
    Dimension: { fields: { dimValue: { type: "int64", id: 1 }, dimParam: { type: "string", id: 2 } } },
    NodeProto: { fields: { input: { rule: "repeated", type: "string", id: 1 }, opType: { type: "string", id: 4 } } },
  },
});

export const TensorProto = root.lookupType("TensorProto");
export const ValueInfoProto = root.lookupType("ValueInfoProto");
const NodeProto = root.lookupType("NodeProto");

/** A node's operator and inputs (its attributes and outputs are not read). */
export function nodeInputs(bytes: Uint8Array): { opType: string; input: string[] } {
  return NodeProto.decode(bytes) as unknown as { opType: string; input: string[] };
}

/** onnx.TensorProto.DataType */
export const FLOAT = 1;
export const INT64 = 7;

export interface Tensor {
  dims: number[];
  dataType: number;
  name: string;
  values: number[];
}

const num = (v: unknown) => Number(v);

/** A tensor's values, from raw_data or the typed field, as plain numbers (float and int64 only). */
export function decodeTensor(bytes: Uint8Array): Tensor {
  const t = TensorProto.decode(bytes) as unknown as { dims: unknown[]; dataType: number; name: string; rawData?: Uint8Array; floatData: number[]; int64Data: unknown[] };
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  const buffer = raw ? raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) : undefined;
  let values: number[] = [];
  if (t.dataType === FLOAT) values = buffer ? Array.from(new Float32Array(buffer)) : t.floatData;
  if (t.dataType === INT64) values = buffer ? Array.from(new BigInt64Array(buffer), Number) : t.int64Data.map(num);
  return { dims: t.dims.map(num), dataType: t.dataType, name: t.name, values };
}

/** A float or int64 tensor with its values as raw_data, as exporters write them. */
export function encodeTensor({ dims, dataType, name, values }: Tensor): Uint8Array {
  const raw = dataType === FLOAT ? new Uint8Array(Float32Array.from(values).buffer) : new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
  return TensorProto.encode(TensorProto.create({ dims, dataType, name, rawData: raw })).finish();
}

/** The fixed dims of a graph input or output (a symbolic dim reads as -1). */
export function valueInfoDims(bytes: Uint8Array): { name: string; dims: number[] } {
  const v = ValueInfoProto.decode(bytes) as unknown as { name: string; type?: { tensorType?: { shape?: { dim: { dimValue?: unknown; dimParam?: string }[] } } } };
  return { name: v.name, dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? -1 : num(d.dimValue))) };
}

/** A tensor's value info; a string dim is symbolic (free). */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): Uint8Array {
  const dim = dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d }));
  return ValueInfoProto.encode(ValueInfoProto.fromObject({ name, type: { tensorType: { elemType, shape: { dim } } } })).finish();
}

/** The same value info with new dims. */
export function withDims(bytes: Uint8Array, dims: number[]): Uint8Array {
  const v = ValueInfoProto.decode(bytes) as unknown as { type: { tensorType: { shape: { dim: unknown[] } } } };
  v.type.tensorType.shape.dim = dims.map((d) => ({ dimValue: d }));
  return ValueInfoProto.encode(v as unknown as protobuf.Message).finish();
}
