import { anchorCount, anchorPoints, anchorStrides, type InputShape } from "../detect/anchors";
import { type ExtraInputs, openOnnxSession, type OnnxSession } from "../model/onnx-session";
import { type Head, reshapeModel } from "../model/reshape-model";
import type { LogLine } from "../util/logger";

const key = (s: InputShape) => `${s.width}x${s.height}`;

/** A session for each input shape a worker runs: what the detector asks of them. */
export interface SessionsByShape {
  readonly square: OnnxSession;
  /** The session for `shape` and the shape it really runs (the square when the rectangle is unusable). */
  get(shape: InputShape, square: InputShape): Promise<{ session: OnnxSession; shape: InputShape }>;
  release(): Promise<void>;
}

/**
 * Every shape through one session of the free-shape model (reshape-model.ts,
 * freeShapeModel), fed each shape's anchor and stride constants: one arena
 * for all, so a worker's memory does not grow with the shapes it runs.
 */
export class FreeShapeSessions implements SessionsByShape {
  private readonly byShape = new Map<string, OnnxSession>();
  readonly square: OnnxSession;

  constructor(
    private readonly session: OnnxSession,
    readonly head: Head,
  ) {
    this.square = this.forShape(head.square);
  }

  async get(shape: InputShape): Promise<{ session: OnnxSession; shape: InputShape }> {
    return { session: this.forShape(shape), shape };
  }

  release() {
    return this.session.release();
  }

  private forShape(shape: InputShape): OnnxSession {
    let view = this.byShape.get(key(shape));
    if (!view) {
      const n = anchorCount(shape);
      const constants: ExtraInputs = {};
      for (const name of this.head.anchorTensors) constants[name] = { data: anchorPoints(shape), dims: [1, 2, n] };
      for (const name of this.head.strideTensors) constants[name] = { data: anchorStrides(shape), dims: [1, n] };
      view = { io: this.session.io, run: (input, dims) => this.session.run(input, dims, constants), release: async () => {} };
      this.byShape.set(key(shape), view);
    }
    return view;
  }
}

/**
 * One ONNX session per input shape, in one inference worker, for a head that
 * cannot take free input dimensions (YOLO11's), or no rectangles. The square one
 * is opened at load; a rectangle's model is rebuilt from the same file and
 * opened the first time an image needs it, so a worker only pays (in memory)
 * for the shapes its images use. A shape whose session cannot be made falls
 * back to the square for good.
 */
export class ShapeSessions implements SessionsByShape {
  private readonly sessions = new Map<string, Promise<OnnxSession | undefined>>();

  constructor(
    private readonly model: Uint8Array,
    private readonly head: Head | undefined,
    readonly square: OnnxSession,
    private readonly threads: number,
    private readonly log: LogLine,
  ) {
    this.sessions.set(key(head?.square ?? { width: 0, height: 0 }), Promise.resolve(square));
  }

  async get(shape: InputShape, square: InputShape): Promise<{ session: OnnxSession; shape: InputShape }> {
    if (!this.head || key(shape) === key(square)) return { session: this.square, shape: square };
    let opening = this.sessions.get(key(shape));
    if (!opening) {
      // Without pools: a worker may open several rectangles, and their activations then share one heap.
      opening = openOnnxSession(reshapeModel(this.model, this.head, shape), this.threads, { pooled: false }).catch((err) => {
        this.log("error", "rect session failed", { shape: key(shape), error: String(err).slice(0, 300) });
        return undefined;
      });
      this.sessions.set(key(shape), opening);
    }
    const session = await opening;
    return session ? { session, shape } : { session: this.square, shape: square };
  }

  /** Releases every session opened so far. */
  async release() {
    for (const opening of this.sessions.values()) await (await opening)?.release();
  }
}
