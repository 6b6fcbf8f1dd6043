import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { FUNCTION_FILE, functionBundle } from "../../src/aws/function-bundle";
import { ROTATION_RUNTIME } from "../../src/constructs/data/database-app-user";
import { inProjectElsewhere } from "../support/project-elsewhere";
import { PROJECT_ROOT } from "../support/stacks";

// The rotation function's zip as synthesis makes it: read back by another
// zip implementation (Python's zipfile), loaded as Lambda's Node.js runtime
// loads it, and made the same again from the same sources.

const props = (name: string) => ({
  root: PROJECT_ROOT,
  entry: path.join("src", "functions", "app-user-rotation", "handler.ts"),
  name,
  nodeMajor: ROTATION_RUNTIME.nodeMajor,
  external: ["@aws-sdk/*"],
});
const cache = path.join(PROJECT_ROOT, ".cache", "functions");
const names = [`test-${process.pid}-a`, `test-${process.pid}-b`];

afterAll(() => {
  for (const name of names) for (const suffix of [".zip", ".inputs.json"]) fs.rmSync(path.join(cache, `${name}${suffix}`), { force: true });
  fs.rmSync(path.join(cache, `extract-${process.pid}`), { recursive: true, force: true });
});

describe("the rotation function's bundle", () => {
  const bundle = functionBundle(props(names[0]));
  const zip = fs.readFileSync(bundle.zipFile);

  it("is a zip another implementation reads: one file, index.js, stored, dated 1980-01-01, mode 0644", () => {
    const listing = execFileSync(
      "python3",
      [
        "-c",
        "import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); " +
          "print(json.dumps([[i.filename, i.compress_type, list(i.date_time), i.external_attr >> 16, z.testzip() is None] for i in z.infolist()]))",
        bundle.zipFile,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(listing)).toEqual([[FUNCTION_FILE, 0, [1980, 1, 1, 0, 0, 0], 0o100644, true]]);
  });

  it("has the code hash Terraform computes from the file (filebase64sha256)", () => {
    expect(bundle.sha256).toBe(crypto.createHash("sha256").update(zip).digest("base64"));
  });

  it("exports the handler Lambda calls, with mysql2 and the RDS certificates inside and the AWS SDK left to the runtime", () => {
    const directory = path.join(cache, `extract-${process.pid}`);
    fs.mkdirSync(directory, { recursive: true });
    // Stored: the file's bytes follow the 30-byte local header and its name.
    const nameLength = zip.readUInt16LE(26);
    const size = zip.readUInt32LE(22);
    const code = zip.subarray(30 + nameLength, 30 + nameLength + size).toString("utf8");
    fs.writeFileSync(path.join(directory, FUNCTION_FILE), code);
    // Loaded from inside the checkout, so require("@aws-sdk/...") finds the SDK as the runtime provides it.
    const loaded = createRequire(__filename)(path.join(directory, FUNCTION_FILE)) as { handler?: unknown };
    expect(typeof loaded.handler).toBe("function");
    expect(code).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(code).not.toMatch(/require\("mysql2/);
    expect(code).toContain("BEGIN CERTIFICATE");
  });

  it("comes out byte for byte the same when bundled again from the same sources", () => {
    expect(functionBundle(props(names[1])).sha256).toBe(bundle.sha256);
  });

  it("is the same bytes from a project elsewhere, without a tsconfig.json, whose packages are reached through a link", () => {
    expect(inProjectElsewhere((elsewhere) => functionBundle({ ...props("elsewhere"), root: elsewhere }).sha256)).toBe(bundle.sha256);
    expect(zip.toString("latin1")).not.toContain("node_modules/");
  });

  it("is bundled again when a source changes, and taken from the cache otherwise", () => {
    const before = fs.statSync(bundle.zipFile).mtimeMs;
    expect(functionBundle(props(names[0])).sha256).toBe(bundle.sha256);
    expect(fs.statSync(bundle.zipFile).mtimeMs).toBe(before);
    // An input the cache records, touched: a new bundle is made (the same bytes, the sources being the same).
    const inputs = JSON.parse(fs.readFileSync(path.join(cache, `${names[0]}.inputs.json`), "utf8")).inputs as [string, number, number][];
    expect(inputs.map(([file]) => file)).toEqual(expect.arrayContaining(["src/functions/app-user-rotation/rotation.ts"]));
    const recorded = path.join(cache, `${names[0]}.inputs.json`);
    fs.writeFileSync(recorded, JSON.stringify({ ...JSON.parse(fs.readFileSync(recorded, "utf8")), inputs: inputs.map(([file, size]) => [file, size, 0]) }));
    expect(functionBundle(props(names[0])).sha256).toBe(bundle.sha256);
    expect(fs.statSync(bundle.zipFile).mtimeMs).toBeGreaterThan(before);
  });
});
