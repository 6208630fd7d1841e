import type { InputShape } from "../detect/anchors";
import { openOnnxSession, type OnnxSession } from "../model/onnx-session";
import { type Head, reshapeModel } from "../model/reshape-model";

const key = (s: InputShape) => `${s.width}x${s.height}`;

/**
 * One ONNX session per input shape, in one inference worker. The square one
 * is opened at load; a rectangle's model is rebuilt from the same file and
 * opened the first time an image needs it, so a worker only pays (in memory)
 * for the shapes its images use. A shape whose session cannot be made falls
 * back to the square for good.
 */
export class ShapeSessions {
  private readonly sessions = new Map<string, Promise<OnnxSession | undefined>>();

  constructor(
    private readonly model: Uint8Array,
    private readonly head: Head | undefined,
    readonly square: OnnxSession,
    private readonly threads: number,
  ) {
    this.sessions.set(key(head?.square ?? { width: 0, height: 0 }), Promise.resolve(square));
  }

  /** The session for `shape` and the shape it really runs (the square when the rectangle is unusable). */
  async get(shape: InputShape, square: InputShape): Promise<{ session: OnnxSession; shape: InputShape }> {
    if (!this.head || key(shape) === key(square)) return { session: this.square, shape: square };
    let opening = this.sessions.get(key(shape));
    if (!opening) {
      // Without pools: a worker may open several rectangles, and their activations then share one heap.
      opening = openOnnxSession(reshapeModel(this.model, this.head, shape), this.threads, { pooled: false }).catch((err) => {
        console.error(JSON.stringify({ level: "error", msg: "rect session failed", shape: key(shape), error: String(err).slice(0, 300) }));
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
