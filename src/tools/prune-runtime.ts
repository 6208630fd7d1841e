/**
 * After a production install, drop what the service never loads: other
 * platforms' onnxruntime binaries (~255 MB), the DejaVu faces other than the
 * label font, and swagger-ui-dist beyond the two files /docs serves. The
 * image and `start:prod` keep only what runs here.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const modules = resolve(import.meta.dir, "../../node_modules");
let freed = 0;
const sizeOf = (p: string): number =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + sizeOf(join(p, f)), 0) : statSync(p).size;
function remove(path: string) {
  freed += sizeOf(path);
  rmSync(path, { recursive: true, force: true });
}
/** Removes every entry of `dir` not named in `keep`. */
function keepOnly(dir: string, keep: readonly string[]) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) if (!keep.includes(entry)) remove(join(dir, entry));
}

const ortBin = join(modules, "onnxruntime-node/bin");
for (const napi of readdirSync(ortBin)) {
  keepOnly(join(ortBin, napi), [process.platform]);
  keepOnly(join(ortBin, napi, process.platform), [process.arch]);
}
keepOnly(join(modules, "dejavu-fonts-ttf/ttf"), ["DejaVuSans.ttf"]);
keepOnly(join(modules, "swagger-ui-dist"), ["package.json", "swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]);

console.log(`pruned onnxruntime-node to ${process.platform}/${process.arch}, fonts and docs assets: ${(freed / 1e6).toFixed(0)} MB freed`);
