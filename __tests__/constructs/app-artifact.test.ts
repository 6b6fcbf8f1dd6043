import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { AppArtifact, type AppArtifactProps, appArtifactProblems, packApp } from "../../src/constructs/compute/app-artifact";
import { copyOfApp, filesUnder } from "../support/app-folder";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY, expectRefused, onlyResource } from "../support/stacks";

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-app-artifact-test-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const RUNTIME_FOLDERS = ["httpd", "src", "templates", "www"];

describe("packApp", () => {
  const packed = packApp(APP_DIRECTORY);

  it("holds the app's runtime files, byte for byte, comments and all, as root-owned 0644 files", () => {
    const { tar } = requireCommands(["tar"]);
    const unpacked = path.join(scratch, "unpacked");
    fs.mkdirSync(unpacked);
    execFileSync(tar, ["-xf", "-", "-C", unpacked], { input: packed.archive });
    const runtime = filesUnder(APP_DIRECTORY).filter((name) => RUNTIME_FOLDERS.includes(name.split("/")[0]));
    expect(filesUnder(unpacked)).toEqual(runtime);
    expect(runtime).toEqual(expect.arrayContaining(["httpd/inventory.conf", "www/index.php", "src/App.php"]));
    for (const name of runtime) expect(fs.readFileSync(path.join(unpacked, name)).equals(fs.readFileSync(path.join(APP_DIRECTORY, name)))).toBe(true);
    // The PHP keeps its comments now that the app no longer has to fit in user data.
    expect(fs.readFileSync(path.join(unpacked, "src", "App.php"), "utf8")).toMatch(/^\s*(\/\/|\/\*\*|\*)/m);

    const listing = execFileSync(tar, ["-tvf", "-"], { input: packed.archive, encoding: "utf8" }).trim().split("\n");
    expect(listing).toHaveLength(runtime.length);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- root\/root +\d+ 1970-01-01 00:00 \S+$/);
  });

  it("is byte-for-byte reproducible, and names itself by the SHA-256 of those bytes", () => {
    expect(packApp(APP_DIRECTORY).archive.equals(packed.archive)).toBe(true);
    expect(packed.sha256).toBe(crypto.createHash("sha256").update(packed.archive).digest("hex"));
  });

  it("changes with every change to the app's runtime files, comments included, and with nothing else", () => {
    const app = copyOfApp(scratch, "changes");
    const hashAfter = (file: string, change: (text: string) => string) => {
      const original = fs.readFileSync(path.join(app, file), "utf8");
      fs.writeFileSync(path.join(app, file), change(original));
      const { sha256 } = packApp(app);
      fs.writeFileSync(path.join(app, file), original);
      return sha256;
    };
    expect(hashAfter("src/App.php", (text) => text.replace("There is no such page.", "No such page."))).not.toBe(packed.sha256);
    expect(hashAfter("src/App.php", (text) => text.replace("Routes a request", "Sends a request"))).not.toBe(packed.sha256);
    expect(hashAfter("www/style.css", (text) => `${text} `)).not.toBe(packed.sha256);
    // Documentation, the boot script (user data, not the archive) and editor droppings are not the app.
    expect(hashAfter("README.md", (text) => `${text}\nMore words.\n`)).toBe(packed.sha256);
    expect(hashAfter("boot/user-data.sh", (text) => text.replace("umask 022", "umask 0022"))).toBe(packed.sha256);
    fs.writeFileSync(path.join(app, "src", ".App.php.swp"), "swap");
    expect(packApp(app).sha256).toBe(packed.sha256);
  });
});

/** The artifact from the construct's defaults: only the app's folder is given. */
function synthArtifact(overrides: Partial<AppArtifactProps> = {}) {
  const json = Testing.synthScope((scope) => {
    new AppArtifact(scope, "app-artifact", { appDirectory: APP_DIRECTORY, ...overrides });
  });
  return { json, document: JSON.parse(json) };
}

/** An app folder of its own under the scratch folder: `files` (path to content) in the archived folders. */
function smallApp(name: string, files: Record<string, string>): string {
  const root = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  for (const folder of RUNTIME_FOLDERS) fs.mkdirSync(path.join(root, folder), { recursive: true });
  return root;
}

/** The 512-byte headers of a ustar archive, in order, with the size each announces. */
function headersOf(archive: Buffer): Buffer[] {
  const headers: Buffer[] = [];
  for (let offset = 0; archive[offset] !== 0;) {
    const header = archive.subarray(offset, offset + 512);
    headers.push(header);
    offset += 512 + Math.ceil(parseInt(header.toString("latin1", 124, 135), 8) / 512) * 512;
  }
  return headers;
}

const field = (header: Buffer, start: number, length: number) => header.toString("latin1", start, start + length);

describe("packApp's archive, byte by byte", () => {
  it("lists the files by path in byte order, not in the order a walk of the folders meets them, leaving out dot files", () => {
    // A walk meets src/a/ before src/a.php; in byte order "." comes before "/".
    const app = smallApp("order", {
      "www/b.php": "b",
      "src/Z.php": "Z",
      "www/a.php": "a",
      "src/a/b.php": "ab",
      "src/a.php": "a",
      "www/.DS_Store": "x",
      "src/.hidden/c.php": "c",
    });
    expect(headersOf(packApp(app).archive).map((header) => field(header, 0, 100).replace(/\0+$/, ""))).toStrictEqual([
      "src/Z.php",
      "src/a.php",
      "src/a/b.php",
      "www/a.php",
      "www/b.php",
    ]);
  });

  it("writes each header as ustar: mode 0644, root's, mtime 0, a regular file, and the checksum of its bytes", () => {
    const [header] = headersOf(packApp(smallApp("header", { "httpd/app.conf": "Listen 80\n" })).archive);
    expect([field(header, 100, 8), field(header, 108, 8), field(header, 116, 8), field(header, 124, 12), field(header, 136, 12)]).toStrictEqual([
      "0000644\0",
      "0000000\0",
      "0000000\0",
      "00000000012\0",
      "00000000000\0",
    ]);
    expect([field(header, 156, 1), field(header, 257, 6), field(header, 263, 2), field(header, 265, 5), field(header, 297, 5)]).toStrictEqual([
      "0",
      "ustar\0",
      "00",
      "root\0",
      "root\0",
    ]);
    // POSIX: the sum of the header's bytes with the checksum field as eight spaces, six octal digits, NUL, space.
    const sum = [...header].reduce((total, byte, index) => total + (index >= 148 && index < 156 ? 32 : byte), 0);
    expect(field(header, 148, 8)).toBe(`${sum.toString(8).padStart(6, "0")}\0 `);
  });

  it("takes a path of 100 bytes and refuses a longer one, naming it", () => {
    const at100 = `www/${"a".repeat(92)}.php`;
    expect(Buffer.byteLength(at100)).toBe(100);
    expect(headersOf(packApp(smallApp("long-100", { [at100]: "" })).archive)).toHaveLength(1);
    const at101 = `www/${"a".repeat(93)}.php`;
    expect(() => packApp(smallApp("long-101", { [at101]: "" }))).toThrow(`app archive: path longer than 100 bytes: ${at101}`);
  });

  it("refuses what is neither a file nor a folder, naming it", () => {
    const app = smallApp("link", { "www/index.php": "<?php" });
    fs.symlinkSync("index.php", path.join(app, "www", "link.php"));
    expect(() => packApp(app)).toThrow(`app archive: ${path.join(app, "www", "link.php")} is neither a file nor a folder`);
  });
});

describe("appArtifactProblems", () => {
  it("has nothing to say of the defaults or of the bounds", () => {
    expect(appArtifactProblems({})).toStrictEqual([]);
    expect(appArtifactProblems({ keptVersions: 1, noncurrentDays: 3650 })).toStrictEqual([]);
    expect(appArtifactProblems({ keptVersions: 100, noncurrentDays: 1 })).toStrictEqual([]);
  });

  it("names each retention setting out of its bounds", () => {
    expect(appArtifactProblems({ keptVersions: 101, noncurrentDays: 3651 }).map((problem) => problem.prop)).toStrictEqual(["keptVersions", "noncurrentDays"]);
    expect(appArtifactProblems({ noncurrentDays: 0 }).map((problem) => problem.prop)).toStrictEqual(["noncurrentDays"]);
  });
});

describe("AppArtifact", () => {
  const { json, document } = synthArtifact();
  const packed = packApp(APP_DIRECTORY);
  const [, object] = onlyResource(document, "aws_s3_object");

  it("keeps the archive in a private bucket of its own: versioned, SSE-KMS, all public access blocked, TLS only", () => {
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket_prefix: "inventory-app-", force_destroy: true, tags: { Name: "Inventory app artifacts" } });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [, policy] = onlyResource(document, "aws_s3_bucket_policy");
    expect(JSON.parse(policy.policy).Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  it("keeps the ten newest replaced versions however old, and expires older ones after 30 days", () => {
    const [, lifecycle] = onlyResource(document, "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toStrictEqual([
      {
        id: "expire-replaced-app-versions",
        status: "Enabled",
        filter: [{ prefix: "app/" }],
        noncurrent_version_expiration: [{ noncurrent_days: 30, newer_noncurrent_versions: 10 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
  });

  it("uploads the archive under one key, its hash as the source hash, once the bucket is versioned and encrypted", () => {
    expect(json).toHaveResourceWithProperties(S3Object, {
      key: "app/inventory-app.tar",
      content_type: "application/x-tar",
      source_hash: packed.sha256,
      metadata: { sha256: packed.sha256 },
    });
    expect(object.bucket).toMatch(/^\$\{aws_s3_bucket\.[^.]+\.bucket\}$/);
    expect(object.source).toBe(`assets/${object.source.split("/")[1]}/${packed.sha256}/inventory-app.tar`);
    expect(object.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  it("writes the archive into the stack folder at synthesis: the bytes Terraform uploads, with that hash", () => {
    const outdir = path.join(scratch, "out");
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, "artifact");
    new AwsProvider(stack, "aws", { region: "us-west-2" });
    new AppArtifact(stack, "app-artifact", { appDirectory: APP_DIRECTORY });
    app.synth();
    const folder = path.join(outdir, "stacks", "artifact");
    const synthesized = JSON.parse(fs.readFileSync(path.join(folder, "cdk.tf.json"), "utf8"));
    const { source, source_hash: sourceHash } = Object.values<any>(synthesized.resource.aws_s3_object)[0];
    const bytes = fs.readFileSync(path.join(folder, source));
    expect(bytes.equals(packed.archive)).toBe(true);
    expect(crypto.createHash("sha256").update(bytes).digest("hex")).toBe(sourceHash);
  });

  it("stages the archive for synthesis in one folder of this process under the system's temporary folder, by its hash, readable by its owner only", () => {
    const staged: string[] = [];
    Testing.synthScope((scope) => {
      for (const id of ["first", "second"]) {
        const asset = new AppArtifact(scope, id, { appDirectory: APP_DIRECTORY }).node.findChild("archive");
        staged.push(String(Reflect.get(asset, "sourcePath")));
      }
    });
    expect(staged[1]).toBe(staged[0]);
    const [file] = staged;
    expect(path.relative(os.tmpdir(), file).split(path.sep)).toStrictEqual([
      expect.stringMatching(/^inventory-app-artifact-\w{6}$/),
      packed.sha256,
      "inventory-app.tar",
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file).equals(packed.archive)).toBe(true);
    // Staged once: an archive of the same hash is not written again.
    fs.utimesSync(file, 0, 0);
    Testing.synthScope((scope) => new AppArtifact(scope, "third", { appDirectory: APP_DIRECTORY }));
    expect(fs.statSync(file).mtimeMs).toBe(0);
  });

  it("removes its staging folder when the process exits, by a hook it adds once", () => {
    // A fresh copy of the module, as a process loads it: the first archive it stages makes its folder and adds the hook.
    const hooksBefore = new Set(process.listeners("exit"));
    let staged = "";
    jest.isolateModules(() => {
      const cdktf = jest.requireActual<typeof import("cdktf")>("cdktf");
      const fresh = jest.requireActual<typeof import("../../src/constructs/compute/app-artifact")>("../../src/constructs/compute/app-artifact");
      const stack = new cdktf.TerraformStack(cdktf.Testing.app({ outdir: fs.mkdtempSync(path.join(scratch, "app-")) }), "fresh");
      for (const id of ["first", "second"]) {
        staged = String(Reflect.get(new fresh.AppArtifact(stack, id, { appDirectory: APP_DIRECTORY }).node.findChild("archive"), "sourcePath"));
      }
    });
    const hooks = process.listeners("exit").filter((hook) => !hooksBefore.has(hook));
    hooks.forEach((hook) => process.removeListener("exit", hook));
    expect(hooks).toHaveLength(1);
    const stagingFolder = path.dirname(path.dirname(staged));
    expect(path.basename(stagingFolder)).toMatch(/^inventory-app-artifact-\w{6}$/);
    expect(fs.existsSync(staged)).toBe(true);
    (hooks[0] as () => void)();
    expect(fs.existsSync(stagingFolder)).toBe(false);
  });

  it("offers the servers the archive's prefix only, its version and its hash", () => {
    const scope = Testing.synthScope((s) => {
      const artifact = new AppArtifact(s, "app-artifact", { appDirectory: APP_DIRECTORY });
      expect(artifact.readableObjectsArn).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}\/app\/\*$/);
      expect(artifact.objectKey).toBe("app/inventory-app.tar");
      expect(artifact.sha256).toBe(packed.sha256);
      expect(artifact.sizeBytes).toBe(packed.archive.length);
    });
    expect(scope).toBeDefined();
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<AppArtifactProps>, string]>([
      ["a bucket prefix too long for S3", { bucketPrefix: "a".repeat(38) }, "bucketPrefix: "],
      ["no version kept", { keptVersions: 0 }, "keptVersions: 0 is not a whole number from 1 to 100"],
      ["replaced versions kept for ever", { noncurrentDays: 0 }, "noncurrentDays: 0 is not a whole number from 1 to 3650"],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthArtifact(overrides), "AppArtifact stack/app-artifact", message);
    });
  });
});
