import { resolve } from "node:path";
import { MODELS } from "./paths";

/**
 * The two shared detectors the several-models tests serve, by the names they
 * give them: yolov8n (640, one free-shape session) and YOLO11n int8 at 320 (a
 * session per shape).
 */
export const V8 = "yolov8n";
export const V11 = "yolo11n-320";
export const MODEL_FILES = { [V8]: resolve(MODELS, "yolov8n.onnx"), [V11]: resolve(MODELS, "yolo11n-int8-dynamic-320.onnx") } as const;

/** MODELS naming both, the default (V8) first. */
export const BOTH_MODELS = `${V8}=${MODEL_FILES[V8]},${V11}=${MODEL_FILES[V11]}`;
