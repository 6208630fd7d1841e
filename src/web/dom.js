// The page's two DOM shorthands, shared by its modules.

/** The first element matching `selector` under `root` (the document by default). */
export const $ = (selector, root = document) => root.querySelector(selector);

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with its attributes set. */
export function svg(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
