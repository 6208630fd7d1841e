/**
 * The life of one inference worker, as data. A slot is never reused once it
 * leaves service: the pool puts a fresh worker in its place.
 *
 *   starting ──ready──▶ ready ──predict──▶ busy ──reply──▶ ready
 *      │                  │                 │
 *      │                  │                 ├──timeout / stop──▶ retiring ──next answer──▶ defunct
 *      ├──stop────────────┼─────────────────┘ (from starting too)
 *      └──error / exit / init_failed ──▶ defunct ◀── error / exit (any live state)
 *
 * `retiring`: given up on, but still running native code (onnxruntime or
 * sharp). Terminating a thread then aborts the whole process, so it is
 * terminated only when it next answers.
 */
export const SLOT_STATES = ["starting", "ready", "busy", "retiring", "defunct"] as const;

export type SlotState = (typeof SLOT_STATES)[number];

export const SLOT_TRANSITIONS: Readonly<Record<SlotState, readonly SlotState[]>> = {
  starting: ["ready", "retiring", "defunct"],
  ready: ["busy", "defunct"],
  busy: ["ready", "retiring", "defunct"],
  retiring: ["defunct"],
  defunct: [],
};

/** Slots that can be asked to run an image, now or once their current one is done. */
export function isWarm(state: SlotState): boolean {
  return state === "ready" || state === "busy";
}

export class IllegalSlotTransition extends Error {
  constructor(slot: string, from: SlotState, to: SlotState) {
    super(`worker ${slot}: illegal transition ${from} -> ${to}`);
  }
}
