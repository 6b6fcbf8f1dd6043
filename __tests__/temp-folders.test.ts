import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type App, TerraformOutput, Testing } from "cdktf";

// __tests__/setup.ts gives the apps a test file makes one folder of the temp folder, removed after the file: cdktf's
// own `Testing.app()` would leave one there per app. The setup replaces `Testing.app`, and `Testing.synthScope` is
// covered only because cdktf builds its app by calling `Testing.app()`: these fail if either stops being so.

/** The folder of the temp folder an app's output folder is in (its own name and the one above it). */
function placeOf(outdir: string): string[] {
  return path.relative(os.tmpdir(), outdir).split(path.sep);
}

it("puts an app's output folder in the file's folder of apps", () => {
  const [apps, own, ...rest] = placeOf(Testing.app().outdir);
  expect(apps).toMatch(/^cdktf-apps-/);
  expect(own).toMatch(/^app-/);
  expect(rest).toStrictEqual([]);
});

it("puts Testing.synthScope's app there too", () => {
  let outdir = "";
  const json = Testing.synthScope((scope) => {
    outdir = (scope.node.root as App).outdir;
    new TerraformOutput(scope, "probe", { value: 1 });
  });
  expect(JSON.parse(json).output).toStrictEqual({ probe: { value: 1 } });
  const [apps, own, ...rest] = placeOf(outdir);
  expect(apps).toMatch(/^cdktf-apps-/);
  expect(own).toMatch(/^app-/);
  expect(rest).toStrictEqual([]);
  expect(fs.existsSync(outdir)).toBe(true);
});

it("gives every app a folder of its own, in the same folder of apps", () => {
  const first = placeOf(Testing.app().outdir);
  const second = placeOf(Testing.app().outdir);
  expect(second[0]).toBe(first[0]);
  expect(second[1]).not.toBe(first[1]);
});

it("leaves an app given its own output folder where it was told", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-own-outdir-"));
  try {
    expect(Testing.app({ outdir }).outdir).toBe(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
