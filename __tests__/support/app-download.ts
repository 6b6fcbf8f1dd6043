import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { AwsEmulator } from "./aws-emulator";

const run = promisify(execFile);

/**
 * The boot script's own download of the app, run for real: its variables,
 * its `retry` and its `fetch_app`, cut out of a rendered script and run by
 * bash with the AWS CLI against S3 in the AWS emulator on 127.0.0.1, as a
 * server runs them against S3 with its instance role. Only the waits between
 * attempts are skipped.
 */

/** The script's `NAME='value'` lines, its retry() and fetch_app(): what fetch_app runs on. */
export function fetchAppPart(script: string): string {
  const assignments = script.match(/^[A-Z0-9_]+='[^'\n]*'$/gm) ?? [];
  const functionOf = (name: string) => {
    const found = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}$`, "m").exec(script);
    if (!found) throw new Error(`the boot script has no ${name}() function`);
    return found[0];
  };
  return [...assignments, functionOf("retry"), functionOf("fetch_app")].join("\n");
}

/** A versioned bucket in the emulator, as the app artifact's. */
export async function createVersionedBucket(emulator: AwsEmulator, bucket: string): Promise<S3Client> {
  const s3 = new S3Client(emulator.clientConfig());
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  return s3;
}

/** Uploads a new version of the object; resolves with its version id. */
export async function putVersion(s3: S3Client, bucket: string, key: string, body: Buffer): Promise<string> {
  const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  if (!VersionId) throw new Error(`no version id for s3://${bucket}/${key}: is the bucket versioned?`);
  return VersionId;
}

export interface FetchAppRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `fetch_app DIRECTORY` of a rendered script. The AWS CLI gets the
 * emulator's endpoint on its command line (a wrapper on PATH: every CLI
 * version takes `--endpoint-url`, not every one reads AWS_ENDPOINT_URL), the
 * emulator's CA, dummy credentials and no profile, so nothing can reach AWS.
 */
export async function runFetchApp(options: {
  readonly bash: string;
  readonly aws: string;
  readonly emulator: AwsEmulator;
  readonly script: string;
  readonly directory: string;
  /** A folder of the test's own, for the wrapper. */
  readonly scratch: string;
}): Promise<FetchAppRun> {
  const bin = path.join(options.scratch, "aws-bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "aws"), `#!/bin/sh\nexec ${JSON.stringify(options.aws)} --endpoint-url ${JSON.stringify(options.emulator.endpoint)} "$@"\n`, {
    mode: 0o755,
  });
  const harness = ["set -euo pipefail", fetchAppPart(options.script), "sleep() { :; }", 'fetch_app "$1"'].join("\n");
  try {
    const { stdout, stderr } = await run(options.bash, ["-c", harness, "fetch-app", options.directory], {
      env: { ...options.emulator.awsVariables(), PATH: `${bin}${path.delimiter}${process.env.PATH ?? "/usr/bin:/bin"}` },
      timeout: 120_000,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { status: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
