// The one module that imports onnxruntime: everything else sees plain arrays.
import * as ort from "onnxruntime-node";

// ONNX Runtime's own warnings go straight to stderr, not through the service's JSON log: on a
// read-only filesystem it warns that it cannot persist a telemetry id, once per worker. Errors
// still print; everything they mean reaches the service as an exception. Set before the first
// session, since the runtime's environment is created then.
ort.env.logLevel = "error";

export interface ModelIo {
  inputName: string;
  outputName: string;
  /** declared input shape; dynamic dims are -1 */
  inputShape: number[];
  outputShape: number[];
}

/** More float inputs of a run, by name (a free-shape model's head constants). */
export type ExtraInputs = Record<string, { data: Float32Array; dims: number[] }>;

export interface OnnxSession {
  io: ModelIo;
  run(input: Float32Array, dims: readonly number[], extra?: ExtraInputs): Promise<{ data: Float32Array; dims: number[] }>;
  release(): Promise<void>;
}

/**
 * `pooled: false` opens a session that keeps no memory of its own between runs
 * (no arena, no planned buffers): its activations come from the process's heap
 * and go back to it, where the next session reuses them. Per image it costs
 * the same CPU (85–87 ms a run at 640×576 either way). For the rectangle
 * sessions of a head that cannot take free input dimensions: mixed-aspect
 * traffic left the service at 922 MB with them pool-less, against 1,338 MB
 * with pools (docs/BENCHMARKS.md, "Three modes").
 */
export async function openOnnxSession(model: Uint8Array, intraOpThreads: number, { pooled = true, fed = [] as readonly string[] } = {}): Promise<OnnxSession> {
  const session = await ort.InferenceSession.create(model, {
    enableCpuMemArena: pooled,
    enableMemPattern: pooled,
    intraOpNumThreads: intraOpThreads,
    // One image at a time through a sequential graph: inter-op parallelism only adds threads.
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const dimsOf = (m: ort.InferenceSession.ValueMetadata) =>
    m.isTensor ? m.shape.map((d) => (typeof d === "number" ? d : -1)) : [];
  // The image is the input the caller does not feed by name (`fed`).
  const image = Math.max(0, session.inputNames.findIndex((name) => !fed.includes(name)));
  const io: ModelIo = {
    inputName: session.inputNames[image],
    outputName: session.outputNames[0],
    inputShape: dimsOf(session.inputMetadata[image]),
    outputShape: dimsOf(session.outputMetadata[0]),
  };
  return {
    io,
    async run(input, dims, extra = {}) {
      const feeds: Record<string, ort.Tensor> = { [io.inputName]: new ort.Tensor("float32", input, dims as number[]) };
      for (const [name, { data, dims: d }] of Object.entries(extra)) feeds[name] = new ort.Tensor("float32", data, d);
      const out = await session.run(feeds);
      const tensor = out[io.outputName];
      if (tensor.type !== "float32") throw new Error(`model output is ${tensor.type}, expected float32`);
      return { data: tensor.data as Float32Array, dims: [...tensor.dims] };
    },
    release: () => session.release(),
  };
}
