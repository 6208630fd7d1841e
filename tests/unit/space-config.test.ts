import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO } from "../support/paths";

/** The YAML front matter at the very top of a Markdown file. */
function frontMatter(markdown: string): Record<string, unknown> {
  const m = markdown.match(/^---\n([\s\S]*?)\n---\n/);
  if (!m) throw new Error("README.md does not start with YAML front matter");
  return Bun.YAML.parse(m[1]) as Record<string, unknown>;
}

test("README.md front matter and space.yaml hold the same Space settings", async () => {
  const readme = frontMatter(await Bun.file(join(REPO, "README.md")).text());
  const space = Bun.YAML.parse(await Bun.file(join(REPO, "space.yaml")).text()) as Record<string, unknown>;
  expect(readme).toEqual(space);
  // what a Docker Space needs
  expect(space).toMatchObject({ sdk: "docker", app_port: 7860 });
  for (const key of ["title", "emoji", "colorFrom", "colorTo", "short_description"]) expect(space[key]).toBeTruthy();
  expect(String(space.short_description).length).toBeLessThanOrEqual(60); // Spaces cut it there
});

test("the Dockerfile serves on the Space's port, as uid 1000, with the start:prod command and a readiness check", async () => {
  const docker = await Bun.file(join(REPO, "Dockerfile")).text();
  const pkg = await Bun.file(join(REPO, "package.json")).json();
  expect(docker).toContain("EXPOSE 7860");
  expect(docker).toMatch(/^USER 1000$/m);
  expect(docker).toContain('CMD ["bun", "run", "start:prod"]');
  expect(docker).toContain("/health/ready");
  expect(docker).toContain("bun run install:prod");
  expect(pkg.scripts["start:prod"]).toBeTruthy();
  expect(pkg.scripts["install:prod"]).toContain("--frozen-lockfile");
});

// A newcomer read "runs exactly what the container runs" and got a different drain timeout and
// every client behind the proxy counted as one.
test("README's command without Docker sets every setting the image's runtime ENV sets, to the same value", async () => {
  const docker = await Bun.file(join(REPO, "Dockerfile")).text();
  const readme = await Bun.file(join(REPO, "README.md")).text();
  const command = readme.match(/^Without Docker, `([^`]+)`/m)?.[1] ?? "";
  expect(command).toContain("bun run start:prod");
  // The runtime settings: the ENV line after the image switches to its user (the earlier one is for the install).
  const runtime = docker.slice(docker.search(/^USER 1000$/m)).match(/^ENV (.+)$/m)![1].split(/\s+/);
  expect(runtime).toContain("DRAIN_TIMEOUT_MS=8000");
  for (const setting of runtime) expect(command.split(/\s+/)).toContain(setting);
});

test("README's Space variables name every setting that bounds the queue", async () => {
  const readme = await Bun.file(join(REPO, "README.md")).text();
  const variables = readme.slice(readme.indexOf("Optional settings (Space"), readme.indexOf("Use the public endpoint"));
  for (const name of ["QUEUE_MAX", "CLIENT_QUEUE_MAX", "MAX_UPLOAD_BYTES", "MAX_PIXELS"]) expect([name, variables.includes(`\`${name}\``)]).toEqual([name, true]);
});
