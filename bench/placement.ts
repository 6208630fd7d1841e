import { progressBar } from "../src/util/progress";
import type { BenchImage } from "./images";
import { atDefaultConf, classesOf, type SweepModel } from "./sweep-model";

/** Every how many pixels the photo is moved: a quarter of the head's finest stride (`--quick`: two strides). */
export const PLACEMENT_STEP = { full: 2, quick: 16 } as const;

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
 * padded axis in `step`-pixel steps, the rest grey, and each placement's
 * classes (conf 0.25) are compared with the centred photo's. The model sees
 * the same pixels every time; only what lies around them and where the grid
 * falls change. It tells `rect`'s proof (same classes as the centred square)
 * apart from what the model itself keeps when only the padding moves.
 */
export async function runPlacement(model: SweepModel, photos: BenchImage[], step: number = PLACEMENT_STEP.full): Promise<PlacementRow[]> {
  const { width: w, height: h } = model.square;
  const rows: PlacementRow[] = [];
  const bar = progressBar("rect: placement sweep  ");
  for (const [i, photo] of photos.entries()) {
    const { rgb, centred: centredAt } = await model.prepare(photo);
    const vertical = centredAt.newH < h;
    const room = vertical ? h - centredAt.newH : w - centredAt.newW;
    const classesAt = async (offset: number) =>
      classesOf(atDefaultConf(await model.detect(rgb, vertical ? { ...centredAt, top: offset } : { ...centredAt, left: offset })), model.names);
    const centred = vertical ? centredAt.top : centredAt.left;
    const classes = await classesAt(centred);
    const differ: PlacementRow["differ"] = [];
    for (let offset = 0; offset <= room; offset += step) {
      const found = await classesAt(offset);
      if (found.join() !== classes.join()) differ.push({ offset, classes: found });
      bar.update((i + offset / Math.max(1, room)) / photos.length, photo.name);
    }
    rows.push({ photo: photo.name, offsets: Math.floor(room / step) + 1, centred, classes, differ });
  }
  bar.done();
  return rows;
}
