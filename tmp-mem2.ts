import sharp from "sharp";
import { readFileSync } from "node:fs";
import { startServer } from "./bench/server";
const dog = readFileSync("/work/shared/images/dog.jpg");
const eagle = readFileSync("/work/shared/images/eagle.jpg");
const variants = {
  "4:3": dog,
  "3:4": await sharp(dog).rotate(90).jpeg().toBuffer(),
  "3:2": eagle,
  "16:9": await sharp(eagle).extract({ left: 0, top: 39, width: 773, height: 435 }).jpeg().toBuffer(),
  "9:16": await sharp(eagle).extract({ left: 0, top: 39, width: 773, height: 435 }).rotate(90).jpeg().toBuffer(),
};
for (const mode of [process.argv[2]]) {
  const server = await startServer(import.meta.dir, {});
  const idle = server.rssMb();
  const sizes = new Set<string>();
  await Promise.all(Array.from({ length: 6 }, async (_, c) => {
    for (let i = 0; i < 10; i++) for (const [name, bytes] of Object.entries(variants)) {
      const f = new FormData(); f.append("file", new File([bytes], `${name}.jpg`)); f.append("rect", mode);
      const r = await (await fetch(`${server.url}/predict`, { method: "POST", body: f, headers: { prefer: "wait=30" } })).json() as any;
      sizes.add(`${name}:${r.result?.input_size?.width}x${r.result?.input_size?.height}`);
    }
  }));
  console.log(mode, "idle RSS", idle, "MB; after 300 uploads", server.rssMb(), "MB;", [...sizes].sort().join(" "));
  await server.stop();
}
