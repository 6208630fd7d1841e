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
