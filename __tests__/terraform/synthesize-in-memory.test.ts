import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformOutput, TerraformStack } from "cdktf";
import { synthesizeInMemory } from "../../src/terraform/synthesize-in-memory";

// The policy suite and the CI access report synthesize every environment in memory, on every run: no folder of
// theirs may stay behind in the system's temp folder.

it("returns the stack's document, and the app's folder is gone", () => {
  let outdir = "";
  const document = synthesizeInMemory((app) => {
    outdir = app.outdir;
    const stack = new TerraformStack(app, "probe");
    new TerraformOutput(stack, "answer", { value: 42 });
    return stack;
  });
  expect(document.output).toStrictEqual({ answer: { value: 42 } });
  // cdktf made the folder, in the temp folder, as the app was built.
  expect(path.dirname(outdir)).toBe(os.tmpdir());
  expect(fs.existsSync(outdir)).toBe(false);
});

it("removes the app's folder when building the stack throws", () => {
  let outdir = "";
  expect(() =>
    synthesizeInMemory((app) => {
      outdir = app.outdir;
      throw new Error("no such setting");
    }),
  ).toThrow("no such setting");
  expect(outdir).not.toBe("");
  expect(fs.existsSync(outdir)).toBe(false);
});
