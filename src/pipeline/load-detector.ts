import { describeModel } from "../model/model-info";
import { readOnnxMetadata } from "../model/onnx-metadata";
import { openOnnxSession, type OnnxSession } from "../model/onnx-session";
import type { DecodeLimits } from "../vision/decode";
import { anchorCount, inputShapes, SHAPE_STEP } from "../detect/anchors";
import { freeShapeModel, type Head, recogniseHead } from "../model/reshape-model";
import { Detector } from "./detector";
import { FreeShapeSessions, ShapeSessions } from "./shape-sessions";
import { basename } from "node:path";
import type { LogLine } from "../util/logger";
import { IMGSZ } from "../domain/knobs";

/**
 * Reads a model file once, and pairs its session with what its metadata says.
 * When its detection head is one `recogniseHead` understands, rectangular
 * input shapes are offered too: all through one session with free input
 * dimensions when the head allows it (freeShapeModel), else a session per
 * shape, opened on first use. A free session that fails its check at load is
 * released before the square's own session opens (its memory goes back to the
 * heap, where the next session reuses it); otherwise only one kind is opened.
 */
export async function loadDetector(modelPath: string, threads: number, limits: DecodeLimits, annotatedMaxSide: number, log: LogLine, name = basename(modelPath)): Promise<Detector> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const meta = readOnnxMetadata(bytes);
  const head = recogniseHead(bytes);
  const free = "reason" in head ? undefined : await openFree(bytes, head, threads, log);
  if (free) {
    // The free model's input reads [1, 3, -1, -1]: its size is the head's square.
    const square = free.head.square;
    const info = describeModel(name, { ...free.square.io, inputShape: [1, 3, square.height, square.width] }, meta);
    info.inputShapes = inputShapes(square.width, SHAPE_STEP.freeSession);
    // One session runs any square's shapes, so imgsz may ask other squares. describeModel leaves a
    // model with a session per shape at its own size: another square's shapes would each be one
    // more session per worker, on top of its own.
    info.imgsz = { ...IMGSZ };
    return new Detector(free, info, limits, annotatedMaxSide);
  }
  const session = await openOnnxSession(bytes, threads);
  const info = describeModel(name, session.io, meta);
  const square = info.inputWidth;
  const usable = !("reason" in head) && head.square.width === square && head.square.height === info.inputHeight;
  if (usable) info.inputShapes = inputShapes(square, SHAPE_STEP.sessionPerShape);
  else info.rectUnsupported = "reason" in head ? head.reason : "the head's size is not the model's input";
  return new Detector(new ShapeSessions(bytes, usable ? head : undefined, session, threads, log), info, limits, annotatedMaxSide);
}

/**
 * The free-shape model's session, when the head allows one, it opens, and it
 * answers the smallest rectangle with that shape's anchor count: a rewrite gone
 * wrong would otherwise fail every rectangle at run time while the square works.
 */
export async function openFree(bytes: Uint8Array, head: Head, threads: number, log: LogLine): Promise<FreeShapeSessions | undefined> {
  const model = freeShapeModel(bytes, head);
  if (!model) return undefined;
  const probe = inputShapes(head.square.width, SHAPE_STEP.freeSession).at(-1)!;
  let session: OnnxSession | undefined;
  let failure: string;
  try {
    session = await openOnnxSession(model, threads, { fed: [...head.anchorTensors, ...head.strideTensors] });
    const sessions = new FreeShapeSessions(session, head);
    const { session: view } = await sessions.get(probe);
    const anchors = (await view.run(new Float32Array(3 * probe.width * probe.height), [1, 3, probe.height, probe.width])).dims.at(-1);
    if (anchors === anchorCount(probe)) return sessions;
    failure = `${anchors} anchors at ${probe.width}x${probe.height}, ${anchorCount(probe)} expected`;
  } catch (err) {
    failure = String(err).slice(0, 300);
  }
  await session?.release();
  log("warn", "free-shape session unusable: a session per shape instead", { error: failure });
  return undefined;
}
