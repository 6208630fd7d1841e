import { describeModel } from "../model/model-info";
import { readOnnxMetadata } from "../model/onnx-metadata";
import { openOnnxSession } from "../model/onnx-session";
import type { DecodeLimits } from "../vision/decode";
import { Detector } from "./detector";
import { basename } from "node:path";

/** Reads a model file once, and pairs its session with what its metadata says. */
export async function loadDetector(modelPath: string, threads: number, limits: DecodeLimits, annotatedMaxSide: number): Promise<Detector> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const meta = readOnnxMetadata(bytes);
  const session = await openOnnxSession(bytes, threads);
  const info = describeModel(basename(modelPath), session.io, meta);
  return new Detector(session, info, limits, annotatedMaxSide);
}
