import { describeModel } from "../model/model-info";
import { readOnnxMetadata } from "../model/onnx-metadata";
import { openOnnxSession } from "../model/onnx-session";
import type { DecodeLimits } from "../vision/decode";
import { inputShapes } from "../detect/anchors";
import { recogniseHead } from "../model/reshape-model";
import { Detector } from "./detector";
import { ShapeSessions } from "./shape-sessions";
import { basename } from "node:path";

/**
 * Reads a model file once, and pairs its session with what its metadata says.
 * When its detection head is one `recogniseHead` understands, rectangular
 * input shapes are offered too (sessions opened on first use).
 */
export async function loadDetector(modelPath: string, threads: number, limits: DecodeLimits, annotatedMaxSide: number): Promise<Detector> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const meta = readOnnxMetadata(bytes);
  const session = await openOnnxSession(bytes, threads);
  const info = describeModel(basename(modelPath), session.io, meta);
  const head = recogniseHead(bytes);
  const square = info.inputWidth;
  const usable = !("reason" in head) && head.square.width === square && head.square.height === info.inputHeight;
  if (usable) info.inputShapes = inputShapes(square);
  else info.rectUnsupported = "reason" in head ? head.reason : "the head's size is not the model's input";
  return new Detector(new ShapeSessions(bytes, usable ? head : undefined, session, threads), info, limits, annotatedMaxSide);
}
