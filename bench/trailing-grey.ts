import sharp from "sharp";
import { COARSEST_STRIDE } from "../src/detect/anchors";
import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { atDefaultConf, classesOf, counterparts, type SweepModel } from "./sweep-model";

/** Landscape crops of each photo, 1.1:1 to 3:1, every 0.1 (`--quick`: 4:3 and 5:2 only). */
export const CROP_ASPECTS = { full: Array.from({ length: 20 }, (_, i) => 1.1 + i / 10), quick: [4 / 3, 2.5] } as const;
/** Grey after the image, in rows, grouped: the lower bound of each group. */
const GROUPS = [0, 4, 8, 16, 32, 64];

export interface TrailingGreyRow {
  /** grey rows left after the image, at least this many (and fewer than the next group's) */
  grey_rows_from: number;
  runs: number;
  /** runs where the proof of `rect` fails: other classes, or a detection without its counterpart (IoU ≥ 0.9, confidence within 0.05) */
  proof_fails: number;
  classes_differ: number;
  worst_confidence_change: number;
}

/**
 * What `on` risks by cutting the grey after the image: crops of the shared
 * photos in many aspect ratios, each where the square puts it, in every
 * shape of the free-shape set (heights every 32 px) that holds it, against
 * the square, grouped by how many grey rows are left after the image. The
 * model pads its input's edge with zeros, and cells near it see that.
 */
export async function runTrailingGrey(model: SweepModel, photos: BenchImage[], aspects: readonly number[] = CROP_ASPECTS.full): Promise<TrailingGreyRow[]> {
  const rows = GROUPS.map((from) => ({ grey_rows_from: from, runs: 0, proof_fails: 0, classes_differ: 0, worst_confidence_change: 0 }));
  const bar = progressBar("rect: grey after image ");
  for (const [i, photo] of photos.entries()) {
    for (const [j, aspect] of aspects.entries()) {
      const crop = await cropTo(photo, aspect);
      const { rgb, centred } = await model.prepare(crop);
      const squareLow = await model.detect(rgb, centred);
      const square = atDefaultConf(squareLow);
      const end = centred.top + centred.newH;
      for (let height = Math.ceil(end / COARSEST_STRIDE) * COARSEST_STRIDE; height < model.square.height; height += COARSEST_STRIDE) {
        const g = { ...centred, dstH: height };
        const cutLow = await model.detect(rgb, g);
        const cut = atDefaultConf(cutLow);
        const [one, other] = [counterparts(square, cutLow), counterparts(cut, squareLow)];
        const sameClasses = classesOf(cut, model.names).join() === classesOf(square, model.names).join();
        const row = rows.findLast((r) => height - end >= r.grey_rows_from)!;
        row.runs++;
        if (!sameClasses || !one.all || !other.all) row.proof_fails++;
        if (!sameClasses) row.classes_differ++;
        row.worst_confidence_change = Math.max(row.worst_confidence_change, Math.round(Math.max(one.worst, other.worst) * 1000) / 1000);
      }
      bar.update((i + (j + 1) / aspects.length) / photos.length, photo.name);
    }
  }
  bar.done();
  return rows;
}

/** The largest centred crop of `photo` at `aspect` (width over height), as a JPEG of quality 95. */
async function cropTo(photo: BenchImage, aspect: number): Promise<BenchImage> {
  let [width, height] = [photo.width, Math.round(photo.width / aspect)];
  if (height > photo.height) [width, height] = [Math.round(photo.height * aspect), photo.height];
  const region = { left: Math.floor((photo.width - width) / 2), top: Math.floor((photo.height - height) / 2), width, height };
  const bytes = new Uint8Array(await sharp(photo.bytes).extract(region).jpeg({ quality: 95 }).toBuffer());
  return { name: `${photo.name}@${aspect.toFixed(1)}`, bytes, width, height };
}
