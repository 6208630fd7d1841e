import { letterboxGeometry } from "../src/detect/letterbox";
import { decodeDetections, nonMaxSuppression } from "../src/detect/postprocess";
import { letterboxTensor } from "../src/detect/tensor";
import { describeModel } from "../src/model/model-info";
import { readOnnxMetadata } from "../src/model/onnx-metadata";
import { openOnnxSession } from "../src/model/onnx-session";
import { decodeUpright } from "../src/vision/decode";
import { resizeForModel } from "../src/vision/letterbox-image";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";

/** Every how many pixels the photo is moved. A quarter of the head's finest stride. */
const STEP = 2;

export interface PlacementRow {
  photo: string;
  /** where the photo can go along the padded axis (0 = against the input's edge); `centred` is the square's */
  offsets: number;
  centred: number;
  /** the classes the square finds with the photo centred */
  classes: string[];
  /** offsets whose classes differ from the centred photo's, and what they found there */
  differ: { offset: number; classes: string[] }[];
}

/**
 * How far the square's own answer holds when the photo moves inside it: each
 * photo, letterboxed into the square as the service does, is slid along its
 * padded axis in STEP-pixel steps, the rest grey, and each placement's
 * detections (conf 0.25, class-aware NMS at 0.45, the service's defaults)
 * are compared by class with the centred photo's. The model sees the same
 * pixels every time; only what lies around them and where the grid falls
 * change. It tells `rect`'s proof (same classes as the centred square) apart
 * from what the model itself keeps when only the padding moves.
 */
export async function runPlacement(modelPath: string, photos: BenchImage[]): Promise<PlacementRow[]> {
  const bytes = new Uint8Array(await Bun.file(modelPath).arrayBuffer());
  const session = await openOnnxSession(bytes, 2);
  const names = describeModel(modelPath, session.io, readOnnxMetadata(bytes)).names;
  const [, , h, w] = session.io.inputShape;
  const rows: PlacementRow[] = [];
  const bar = progressBar("rect: placement sweep  ");
  try {
    for (const [i, photo] of photos.entries()) {
      const centredAt = letterboxGeometry(photo.width, photo.height, w, h);
      const rgb = await resizeForModel(await decodeUpright(photo.bytes, Math.max(w, h), { maxPixels: 1e9, timeoutSeconds: 60 }), centredAt);
      const vertical = centredAt.newH < h;
      const room = vertical ? h - centredAt.newH : w - centredAt.newW;
      const classesAt = async (offset: number) => {
        const g = vertical ? { ...centredAt, top: offset } : { ...centredAt, left: offset };
        const out = await session.run(letterboxTensor(rgb, g), [1, 3, h, w]);
        const kept = nonMaxSuppression(decodeDetections(out.data, out.dims, { conf: 0.25 }), { iou: 0.45, maxDet: 300, agnostic: false });
        return [...new Set(kept.map((k) => names[k.classId]))].sort();
      };
      const centred = vertical ? centredAt.top : centredAt.left;
      const classes = await classesAt(centred);
      const differ: PlacementRow["differ"] = [];
      for (let offset = 0; offset <= room; offset += STEP) {
        const found = await classesAt(offset);
        if (found.join() !== classes.join()) differ.push({ offset, classes: found });
        bar.update((i + offset / Math.max(1, room)) / photos.length, photo.name);
      }
      rows.push({ photo: photo.name, offsets: Math.floor(room / STEP) + 1, centred, classes, differ });
    }
  } finally {
    await session.release();
  }
  bar.done();
  return rows;
}
