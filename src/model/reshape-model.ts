import protobuf from "protobufjs/minimal.js";
import { anchorCount, anchorPoints, anchorStrides, COARSEST_STRIDE, HEAD_STRIDES, type InputShape } from "../detect/anchors";
import { decodeTensor, encodeTensor, FLOAT, INT64, nodeInputs, type Tensor, valueInfo, valueInfoDims, withDims } from "./onnx-proto";
import { field, fieldsOf, rewrite } from "./proto-wire";

// onnx.proto field numbers
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;

/** A tensor's dims and type without decoding its data (the weights are megabytes). */
function tensorHeader(bytes: Uint8Array): { dims: number[]; dataType: number } {
  const reader = protobuf.Reader.create(bytes);
  const dims: number[] = [];
  let dataType = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === TENSOR_DIMS && (tag & 7) === 2) {
      const end = reader.uint32() + reader.pos;
      while (reader.pos < end) dims.push(Number(reader.int64()));
    } else if (tag >>> 3 === TENSOR_DIMS) dims.push(Number(reader.int64()));
    else if (tag >>> 3 === TENSOR_DATA_TYPE) dataType = reader.int32();
    else reader.skipType(tag & 7);
  }
  return { dims, dataType };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Math.abs(v - b[i]) < 1e-6);

/** What the rewrite needs to know of a recognised Ultralytics detection head. */
export interface Head {
  square: InputShape;
  anchorTensors: string[];
  strideTensors: string[];
}

/**
 * Finds a square input and the head's anchor and stride constants, and checks
 * they are exactly what `anchorPoints`/`anchorStrides` rebuild for that size.
 * Anything else is not a head this rewrite understands: the reason says why.
 */
export function recogniseHead(model: Uint8Array): Head | { reason: string } {
  const graph = fieldsOf(model).find((f) => f.id === MODEL_GRAPH)?.payload;
  if (!graph) return { reason: "no graph" };
  const fields = fieldsOf(graph);
  const input = fields.find((f) => f.id === GRAPH_INPUT);
  const dims = input ? valueInfoDims(input.payload!).dims : [];
  if (dims.length !== 4 || dims[2] !== dims[3] || dims[2] <= 0 || dims[2] % 32 !== 0) return { reason: `input ${JSON.stringify(dims)} is not a fixed square multiple of 32` };
  const square = { width: dims[3], height: dims[2] };
  const n = anchorCount(square);
  const anchors = anchorPoints(square);
  const strides = anchorStrides(square);
  const head: Head = { square, anchorTensors: [], strideTensors: [] };
  for (const f of fields.filter((x) => x.id === GRAPH_INITIALIZER)) {
    const h = tensorHeader(f.payload!);
    if (h.dataType !== FLOAT || h.dims[0] !== 1 || h.dims.at(-1) !== n) continue;
    const t = decodeTensor(f.payload!);
    if (same(h.dims, [1, 2, n]) && same(t.values, anchors)) head.anchorTensors.push(t.name);
    else if (same(h.dims, [1, n]) && same(t.values, strides)) head.strideTensors.push(t.name);
  }
  if (!head.anchorTensors.length || !head.strideTensors.length) return { reason: `no anchor and stride constants for ${n} anchors (strides ${HEAD_STRIDES.join(", ")})` };
  return head;
}

/**
 * A shape constant (int64, a few values) for the new size: the anchor count,
 * and in YOLO11's attention block the last level's grid ([…, g, g]) and its
 * cell count (g × g).
 */
function reshapeConstant(values: number[], from: InputShape, to: InputShape): number[] | undefined {
  const n = anchorCount(from);
  const g = from.width / 32;
  const out = [...values];
  if (out.at(-1) === n) out[out.length - 1] = anchorCount(to);
  else if (out.length === 4 && out[2] === g && out[3] === g) [out[2], out[3]] = [to.height / 32, to.width / 32];
  else if (out.length === 4 && out[3] === g * g) out[3] = (to.width / 32) * (to.height / 32);
  return same(out, values) ? undefined : out;
}

/**
 * What a rewrite of the head changes. Each returns a field's new bytes, or
 * undefined to copy it; intermediate shape annotations are always dropped
 * (ONNX Runtime infers them again) and everything else is copied byte for byte.
 */
interface HeadEdits {
  /**
   * A graph input, by its place among them (the image is the first). Older
   * exports list every initializer as an input too: `headConstant` says it
   * names an anchor or stride constant, whose size the rewrite changes.
   * Returns null to drop it.
   */
  input(payload: Uint8Array, index: number, headConstant: boolean): Uint8Array | null | undefined;
  output(payload: Uint8Array): Uint8Array;
  /** an anchor or stride constant: a new initializer, or a graph input in its place */
  constant(t: Tensor, kind: "anchors" | "strides"): Uint8Array;
  /** a small int64 constant: its new values, or undefined to keep it */
  shape(t: Tensor): number[] | undefined;
}

/** Walks a model's graph once, handing the head's parts to `edits`. */
function rewriteHead(model: Uint8Array, head: Head, edits: HeadEdits, onGraph: (graph: Uint8Array) => void = () => {}): Uint8Array {
  const n = anchorCount(head.square);
  const constants = new Set([...head.anchorTensors, ...head.strideTensors]);
  return rewrite(model, (f) => {
    if (f.id !== MODEL_GRAPH) return undefined;
    onGraph(f.payload!);
    let inputs = 0;
    const graph = rewrite(f.payload!, (g) => {
      if (g.id === GRAPH_VALUE_INFO) return null;
      if (g.id === GRAPH_INPUT) return edits.input(g.payload!, inputs++, constants.has(valueInfoDims(g.payload!).name));
      if (g.id === GRAPH_OUTPUT) return field(GRAPH_OUTPUT, edits.output(g.payload!));
      if (g.id !== GRAPH_INITIALIZER) return undefined;
      const h = tensorHeader(g.payload!);
      if (h.dataType === FLOAT && h.dims.at(-1) === n) {
        const t = decodeTensor(g.payload!);
        if (head.anchorTensors.includes(t.name)) return edits.constant(t, "anchors");
        if (head.strideTensors.includes(t.name)) return edits.constant(t, "strides");
        return undefined;
      }
      if (h.dataType !== INT64 || h.dims.length !== 1 || h.dims[0] > 8) return undefined;
      const t = decodeTensor(g.payload!);
      const values = edits.shape(t);
      return values ? field(GRAPH_INITIALIZER, encodeTensor({ ...t, values })) : undefined;
    });
    return field(MODEL_GRAPH, graph);
  });
}

/** The model for another input size: new input dims, head constants and shape constants; shape annotations dropped. */
export function reshapeModel(model: Uint8Array, head: Head, to: InputShape): Uint8Array {
  if (to.width % COARSEST_STRIDE || to.height % COARSEST_STRIDE) {
    throw new RangeError(`input ${to.width}×${to.height} is not a multiple of the largest stride (${COARSEST_STRIDE})`);
  }
  const n = anchorCount(head.square);
  const count = anchorCount(to);
  /** A value info with the square's anchor count replaced by this shape's. */
  const recounted = (payload: Uint8Array) => withDims(payload, valueInfoDims(payload).dims.map((d) => (d === n ? count : d)));
  return rewriteHead(model, head, {
    // The image, and a head constant that is also listed as an input; other inputs keep their shapes.
    input: (payload, index, headConstant) => {
      if (index === 0) return field(GRAPH_INPUT, withDims(payload, [1, 3, to.height, to.width]));
      return headConstant ? field(GRAPH_INPUT, recounted(payload)) : undefined;
    },
    output: recounted,
    constant: (t, kind) =>
      field(
        GRAPH_INITIALIZER,
        kind === "anchors"
          ? encodeTensor({ ...t, dims: [1, 2, count], values: Array.from(anchorPoints(to)) })
          : encodeTensor({ ...t, dims: [1, count], values: Array.from(anchorStrides(to)) }),
      ),
    shape: (t) => reshapeConstant(t.values, head.square, to),
  });
}

/**
 * The model with free input height and width: the head's anchor and stride
 * constants become inputs (the caller feeds anchorPoints/anchorStrides for the
 * shape it runs) and the reshapes that name the anchor count infer it (-1).
 * One session then runs every shape with one arena, at the same CPU per run as
 * a fixed-size model and with the same outputs (docs/BENCHMARKS.md). Undefined
 * for a head with other shape constants (YOLO11's attention block names its
 * grid twice, which a -1 cannot stand for): such a model gets a session per shape.
 */
export function freeShapeModel(model: Uint8Array, head: Head): Uint8Array | undefined {
  const n = anchorCount(head.square);
  const other = { width: head.square.width, height: head.square.height - COARSEST_STRIDE };
  let shapesOnly = new Set<string>();
  let unsupported = false;
  const rewritten = rewriteHead(
    model,
    head,
    {
      // A head constant listed as an input too is dropped: its own edit below declares it, with free dims.
      input: (payload, index, headConstant) =>
        index === 0 ? field(GRAPH_INPUT, valueInfo(valueInfoDims(payload).name, FLOAT, [1, 3, "height", "width"])) : headConstant ? null : undefined,
      output: (payload) => {
        const { name, dims } = valueInfoDims(payload);
        return valueInfo(name, FLOAT, dims.map((d, i) => (d === n ? "anchors" : d < 0 ? `dim${i}` : d)));
      },
      constant: (t, kind) => field(GRAPH_INPUT, valueInfo(t.name, FLOAT, kind === "anchors" ? [1, 2, "anchors"] : [1, "anchors"])),
      shape: (t) => {
        const changed = reshapeConstant(t.values, head.square, other);
        if (!changed) return undefined;
        // Only a trailing anchor count can be inferred, and only where a Reshape reads it as its shape.
        const trailingOnly = t.values.at(-1) === n && same(changed.slice(0, -1), t.values.slice(0, -1)) && !t.values.includes(-1);
        if (!trailingOnly || !shapesOnly.has(t.name)) unsupported = true;
        return [...t.values.slice(0, -1), -1];
      },
    },
    (graph) => (shapesOnly = reshapeShapesOnly(graph)),
  );
  return unsupported ? undefined : rewritten;
}

/** Names every node of the graph reads only as a Reshape's shape (input 1), where -1 means "infer". */
function reshapeShapesOnly(graph: Uint8Array): Set<string> {
  const asShape = new Set<string>();
  const otherwise = new Set<string>();
  for (const f of fieldsOf(graph)) {
    if (f.id !== GRAPH_NODE) continue;
    const node = nodeInputs(f.payload!);
    node.input.forEach((name, i) => (node.opType === "Reshape" && i === 1 ? asShape : otherwise).add(name));
  }
  return new Set([...asShape].filter((name) => !otherwise.has(name)));
}
