import type { TaskError } from "./errors";
import type { WebhookRequest } from "./webhook";

export type { TaskError };

export type TaskStatus = "pending" | "processing" | "completed" | "failed" | "canceled";

export const TASK_STATUSES: readonly TaskStatus[] = ["pending", "processing", "completed", "failed", "canceled"];

export const TERMINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "canceled"]);

/** The lifecycle, as data: the store refuses any move not listed here. */
export const LEGAL_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ["processing", "failed", "canceled"],
  processing: ["completed", "failed", "canceled"],
  completed: [],
  failed: [],
  canceled: [],
};

/** Who canceled a task: its client, or the service shutting down. */
export type CancelReason = "client" | "shutdown";

export interface DetectParams {
  /** which of the service's models runs it, by name (MODELS); absent: the default, the first. The intake always names it. */
  model?: string;
  conf: number;
  iou: number;
  maxDet: number;
  /** class ids to keep; undefined keeps all */
  classes?: number[];
  agnosticNms: boolean;
  annotate: boolean;
  /** the smallest rectangle around the image when the model allows it, or the square (see RECT_MODES) */
  rect: RectMode;
  /** also run the image in tiles at its own resolution: never, when large (auto), or always */
  tile: TileMode;
  /** tile side in image pixels; 0: the model's input size */
  tileSize: number;
  /** fraction of a tile its neighbours overlap */
  tileOverlap: number;
  /** the side of the square the image is letterboxed into (Ultralytics' imgsz); 0: the model's own. Absent in tasks queued before it existed */
  imgsz: number;
}

export const TILE_MODES = ["off", "auto", "on"] as const;
/**
 * The most tiles one image is cut into: past it the tiles grow, so a 40 MP
 * photo costs at most this many model runs (plus the whole-image pass).
 */
export const MAX_TILES = 64;
/** The smallest tile a tile_size asks for: below it the model sees too little. */
export const MIN_TILE = 64;

/**
 * The model's input shape, as Ultralytics' predictor picks it
 * (src/detect/placement.ts): the square an ONNX export runs at, or the
 * smallest rectangle around the resized image, as for a PyTorch model.
 */
export const RECT_MODES = ["off", "on"] as const;
export type RectMode = (typeof RECT_MODES)[number];
export type TileMode = (typeof TILE_MODES)[number];

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Detection {
  class_id: number;
  class: string;
  confidence: number;
  box: Box;
}

export interface Timings {
  queue: number;
  preprocess: number;
  inference: number;
  postprocess: number;
  annotate: number;
  total: number;
  /** wall time of the tile passes, when the image was tiled */
  tiles?: number;
}

/** A rectangle of an image, in its upright pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How a tiled result was computed: `count` tiles of `size` pixels overlapping by `overlap`, plus the whole image. */
export interface TilesUsed {
  count: number;
  size: number;
  overlap: number;
}

/** Width and height in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** Where a resized image lands on a padded dstW × dstH canvas (a letterboxed model input). */
export interface Placement {
  dstW: number;
  dstH: number;
  /** size of the resized image inside the canvas */
  newW: number;
  newH: number;
  /** padding on each side; right = dstW - newW - left */
  left: number;
  top: number;
}

export interface TaskResult {
  /** the model that answered (its name) */
  model?: string;
  detections: Detection[];
  image: { width: number; height: number };
  /** the model input the image was letterboxed to (the square, or a rectangle with rect) */
  input_size?: ImageSize;
  /** present when the image was also run in tiles at its own resolution */
  tiles?: TilesUsed;
  timings: Timings;
  /** the annotated JPEG, kept as bytes; base64 only when a client asks for JSON */
  annotated?: Uint8Array;
}

/** What inference computes for one image; the backend that queued it adds the queue time. */
export type InferenceResult = Omit<TaskResult, "timings"> & { timings: Omit<Timings, "queue"> };

export interface Task {
  id: string;
  status: TaskStatus;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  params: DetectParams;
  /** who submitted it (an API key's name or an address, see http/client-identity.ts): its lane in the fair queue */
  client?: string;
  /** pixel size after EXIF orientation, read from the header at upload */
  size: ImageSize;
  /** the upload; released the moment it is handed to a worker */
  input?: Uint8Array;
  result?: TaskResult;
  error?: TaskError;
  cancelReason?: CancelReason;
  /** where to report this task's events, if the client asked (see domain/webhook.ts) */
  webhook?: WebhookRequest;
}

/**
 * Bytes a task keeps alive: its upload until a worker takes it, then its
 * annotated JPEG, plus a small allowance for the record and its detections.
 */
export function heldBytes(task: Task): number {
  return 512 + (task.input?.byteLength ?? 0) + (task.result?.annotated?.byteLength ?? 0) + 96 * (task.result?.detections.length ?? 0);
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL.has(status);
}
