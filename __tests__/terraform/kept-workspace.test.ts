import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KeptWorkspace, type KeptWorkspaceOptions, NUMBER_SHAPES_FILE } from "../../src/terraform/kept-workspace";
import { TerraformError } from "../../src/terraform/terraform-cli";
import { TERRAFORM_CACHE } from "../support/terraform";

// The folder npm run plan keeps per environment, with the real terraform
// init: it initialises when, and only when, what init depends on changed.
// The stack is a small configuration with the project's provider
// requirement, so each init costs well under a second (init installs the
// provider but never starts it).
let template: string;
let scratch: string;
let stackDirectory: string;
let keptDirectory: string;

/** A synthesized-looking stack folder: the AWS provider at `version`, an S3 backend in `bucket`. */
function writeStack(options: { version?: string; bucket?: string } = {}): void {
  const document = {
    terraform: {
      required_providers: { aws: { source: "aws", version: options.version ?? "5.100.0" } },
      backend: { s3: { bucket: options.bucket ?? "state-bucket", key: "default/inventory-ha.tfstate", region: "us-west-2" } },
    },
    provider: { aws: [{ region: "us-west-2" }] },
    output: { region: { value: "us-west-2" } },
  };
  fs.mkdirSync(stackDirectory, { recursive: true });
  fs.writeFileSync(path.join(stackDirectory, "cdk.tf.json"), JSON.stringify(document, null, 2));
}

async function review(options: Partial<KeptWorkspaceOptions> = {}) {
  const workspace = await KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory, ...options });
  try {
    return await workspace.initIfChanged();
  } finally {
    workspace.release();
  }
}

const kept = (...parts: string[]) => path.join(keptDirectory, ...parts);

function useFolder(root: string): void {
  stackDirectory = path.join(root, "cdktf.out", "stacks", "inventory-default");
  keptDirectory = path.join(root, ".cache", "terraform", "review", "default");
}

// One real first init, copied for every test (its provider is a link into the mirror or the download).
beforeAll(async () => {
  template = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-kept-template-"));
  useFolder(template);
  writeStack();
  await expect(review()).resolves.toEqual({ initialised: true, reason: "no earlier init in this folder" });
});

afterAll(() => fs.rmSync(template, { recursive: true, force: true }));

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-kept-"));
  fs.cpSync(template, scratch, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  useFolder(scratch);
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("a kept Terraform folder", () => {
  it("is initialised once, keeps its lock file, and is reused while nothing init depends on changed", async () => {
    expect(fs.readFileSync(kept(".terraform.lock.hcl"), "utf8")).toMatch(
      /provider "registry\.terraform\.io\/hashicorp\/aws" \{\s+version\s+= "5\.100\.0"[\s\S]*hashes = \[\s+"h1:/,
    );
    const installed = kept(".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "5.100.0");
    expect(fs.existsSync(installed)).toBe(true);
    await expect(review()).resolves.toEqual({ initialised: false, reason: "providers, lock file and backend unchanged since the last init" });

    // A change init does not care about: a new output.
    const document = JSON.parse(fs.readFileSync(path.join(stackDirectory, "cdk.tf.json"), "utf8"));
    document.output.zone = { value: "us-west-2a" };
    fs.writeFileSync(path.join(stackDirectory, "cdk.tf.json"), JSON.stringify(document));
    await expect(review()).resolves.toMatchObject({ initialised: false });
    expect(JSON.parse(fs.readFileSync(kept("cdk.tf.json"), "utf8")).output.zone).toEqual({ value: "us-west-2a" });
  });

  it("initialises again after the provider constraint changes, and not on the run after", async () => {
    writeStack({ version: "~> 5.100" });
    await expect(review()).resolves.toEqual({ initialised: true, reason: "the configuration's providers or modules changed" });
    await expect(review()).resolves.toMatchObject({ initialised: false });
  });

  it("keeps the providers' number shapes until the next init, which drops them: the next plan read makes them from the new schema", async () => {
    fs.writeFileSync(kept(NUMBER_SHAPES_FILE), JSON.stringify({ resources: { aws_vpc: null }, dataSources: {} }));
    await expect(review()).resolves.toMatchObject({ initialised: false });
    expect(fs.existsSync(kept(NUMBER_SHAPES_FILE))).toBe(true);
    writeStack({ version: "~> 5.100" });
    await expect(review()).resolves.toMatchObject({ initialised: true });
    expect(fs.existsSync(kept(NUMBER_SHAPES_FILE))).toBe(false);
  });

  it("never plans with the installed provider when the new constraint excludes it: init fails with Terraform's reason", async () => {
    writeStack({ version: "5.99.0" });
    const failure = await review().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TerraformError);
    expect((failure as Error).message).toMatch(/no available releases match the given constraints 5\.99\.0/);
    expect(fs.existsSync(kept("init-inputs.json"))).toBe(false);
  });

  it("initialises again after the review override changes", async () => {
    await expect(review({ offline: false })).resolves.toEqual({ initialised: true, reason: "the review override changed" });
    await expect(review({ offline: false })).resolves.toMatchObject({ initialised: false });
  });

  it("initialises again after the backend or its settings change", async () => {
    writeStack({ bucket: "another-bucket" });
    await expect(review()).resolves.toEqual({ initialised: true, reason: "the configuration's backend changed" });
    // The review's local backend takes a path; a live review's S3 backend would take its own settings.
    await expect(review({ backendConfig: { path: "elsewhere.tfstate" } })).resolves.toEqual({ initialised: true, reason: "the backend settings changed" });
    // The record keeps hashes, never the settings themselves (a live review's may be secret).
    expect(fs.readFileSync(kept("init-inputs.json"), "utf8")).not.toContain("elsewhere");
    await expect(review({ backendConfig: { path: "elsewhere.tfstate" } })).resolves.toMatchObject({ initialised: false });
  });

  it("initialises again when the lock file changed or the installed provider is gone", async () => {
    fs.appendFileSync(kept(".terraform.lock.hcl"), "\n# edited by hand\n");
    await expect(review()).resolves.toEqual({ initialised: true, reason: "the lock file changed" });
    fs.rmSync(kept(".terraform"), { recursive: true });
    await expect(review()).resolves.toEqual({ initialised: true, reason: "registry.terraform.io/hashicorp/aws 5.100.0 is not installed in its .terraform" });
    await expect(review()).resolves.toMatchObject({ initialised: false });
  });

  it("keeps Terraform's checksum check: a lock file whose checksum the provider does not match stops init", async () => {
    const lockFile = kept(".terraform.lock.hcl");
    fs.writeFileSync(lockFile, fs.readFileSync(lockFile, "utf8").replace(/"h1:[^"]+"/, '"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'));
    const failure = await review().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TerraformError);
    expect((failure as Error).message).toMatch(/doesn't match any of the\s+checksums previously recorded in the dependency lock file/);
    // Nothing records the failed init as done: the next run tries again.
    expect(fs.existsSync(kept("init-inputs.json"))).toBe(false);
  });

  it("leaves Terraform's own check of the installed provider to every command: a swapped provider in a reused folder stops the plan", async () => {
    const platform = fs.readdirSync(kept(".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "5.100.0"))[0];
    const installed = kept(".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "5.100.0", platform);
    const impostor = path.join(scratch, "impostor");
    fs.mkdirSync(impostor);
    fs.writeFileSync(path.join(impostor, "terraform-provider-aws_v5.100.0_x5"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    // Usually a link into the offline mirror: unlink it, never delete through it.
    if (fs.lstatSync(installed).isSymbolicLink()) fs.unlinkSync(installed);
    else fs.rmSync(installed, { recursive: true });
    fs.symlinkSync(impostor, installed);

    const workspace = await KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory });
    try {
      await expect(workspace.initIfChanged()).resolves.toMatchObject({ initialised: false });
      await expect(workspace.plan()).rejects.toThrow(/does not match any of the checksums recorded in the dependency lock file/);
    } finally {
      workspace.release();
    }
  });

  it("holds only the stack's current configuration: files of earlier runs, state and plans are gone", async () => {
    for (const leftover of ["terraform.tfstate", "review.tfplan", "old-asset.txt"]) fs.writeFileSync(kept(leftover), "{}");
    const workspace = await KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory });
    try {
      expect(fs.readdirSync(keptDirectory).sort()).toEqual([
        ".terraform",
        ".terraform.lock.hcl",
        "cdk.tf.json",
        "init-inputs.json",
        "zz_review_override.tf.json",
      ]);
    } finally {
      workspace.release();
    }
  });

  it("serves one run at a time: a second run waits until the first releases the folder", async () => {
    const first = await KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory });
    const waitedFor: number[] = [];
    const second = KeptWorkspace.open(stackDirectory, {
      cacheDirectory: TERRAFORM_CACHE,
      directory: keptDirectory,
      lock: { pollMs: 10, onWait: (holder) => waitedFor.push(holder.pid) },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waitedFor).toEqual([process.pid]);
    let secondOpened = false;
    void second.then(() => (secondOpened = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondOpened).toBe(false);
    first.release();
    const workspace = await second;
    workspace.release();
    expect(fs.existsSync(`${keptDirectory}.lock`)).toBe(false);
  });

  it("lets a run take the folder before it writes its stack folder: another run waits from then, and the opened folder gives the lock up", async () => {
    fs.rmSync(path.dirname(keptDirectory), { recursive: true, force: true });
    const held = await KeptWorkspace.reserve(keptDirectory);
    expect(fs.existsSync(`${keptDirectory}.lock`)).toBe(true);
    const waitedFor: number[] = [];
    const other = KeptWorkspace.reserve(keptDirectory, { pollMs: 10, onWait: (holder) => waitedFor.push(holder.pid) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waitedFor).toEqual([process.pid]);

    const workspace = await KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory, lock: held });
    expect(fs.readdirSync(keptDirectory)).toContain("cdk.tf.json");
    let otherHeld = false;
    void other.then(() => (otherHeld = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otherHeld).toBe(false);
    workspace.release();
    (await other).release();
    expect(fs.existsSync(`${keptDirectory}.lock`)).toBe(false);
  });

  it("refuses a held lock that is another folder's, and keeps it", async () => {
    const elsewhere = await KeptWorkspace.reserve(`${keptDirectory}-other`);
    try {
      await expect(KeptWorkspace.open(stackDirectory, { cacheDirectory: TERRAFORM_CACHE, directory: keptDirectory, lock: elsewhere })).rejects.toThrow(
        `KeptWorkspace.open: the lock held is ${keptDirectory}-other.lock, not ${keptDirectory}.lock`,
      );
      expect(fs.existsSync(`${keptDirectory}-other.lock`)).toBe(true);
    } finally {
      elsewhere.release();
    }
  });
});
