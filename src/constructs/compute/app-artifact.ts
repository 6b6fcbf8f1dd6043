import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { PrivateBucket } from "../data/private-bucket";
import { integerProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";

/** The app's folders the servers run. README.md is documentation and boot/ is the user data. */
export const APP_ARCHIVE_FOLDERS: readonly string[] = ["httpd", "src", "templates", "www"];

/** Name of the archive, in the bucket and in the stack folder. */
export const APP_ARCHIVE_NAME = "inventory-app.tar";

/** S3 keys the servers may read: the archive's key lives under it, so the instance role's permission names this prefix only. */
export const APP_ARTIFACT_PREFIX = "app/";

export interface PackedApp {
  /** A ustar archive of the app's folders, ready to unpack into the app's home. */
  readonly archive: Buffer;
  /** SHA-256 of the archive, lower-case hex: what the servers check before they unpack it. */
  readonly sha256: string;
}

/**
 * Packs the app so the result depends on file contents only: sorted entries,
 * mtime 0, owner root, mode 0644, nothing compressed. The same app gives the
 * same bytes on every machine and Node.js version (a compressor's output can
 * change with its version; a tar does not), so the archive's hash changes
 * exactly when the app does, comments included.
 */
export function packApp(appDirectory: string): PackedApp {
  const blocks: Buffer[] = [];
  // Files only: tar makes their folders (0755 under the script's umask).
  for (const [name, content] of archiveFiles(appDirectory)) {
    blocks.push(ustarHeader(name, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // end of archive: two zero blocks
  const archive = Buffer.concat(blocks);
  return { archive, sha256: crypto.createHash("sha256").update(archive).digest("hex") };
}

/** The archived files, path ("/"-separated, as in the archive) to content, sorted by path. */
function archiveFiles(appDirectory: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string) => {
    const absolute = path.join(appDirectory, ...relative.split("/"));
    const stat = fs.lstatSync(absolute);
    if (stat.isDirectory()) {
      // Editor and OS droppings (.swp, .DS_Store) must not change the artifact.
      for (const child of fs.readdirSync(absolute)) if (!child.startsWith(".")) walk(`${relative}/${child}`);
    } else if (stat.isFile()) {
      files.set(relative, fs.readFileSync(absolute));
    } else {
      throw new Error(`app archive: ${absolute} is neither a file nor a folder`);
    }
  };
  for (const folder of APP_ARCHIVE_FOLDERS) walk(folder);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function ustarHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`app archive: path longer than 100 bytes: ${name}`);
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\0`;
  header.write(name, 0, "utf8");
  header.write(octal(0o644, 8), 100); // mode
  header.write(octal(0, 8), 108); // uid
  header.write(octal(0, 8), 116); // gid
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136); // mtime
  header.write(" ".repeat(8), 148); // the checksum counts its own field as spaces
  header.write("0", 156); // regular file
  header.write("ustar\0", 257);
  header.write("00", 263);
  header.write("root", 265); // owner name
  header.write("root", 297); // group name
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

/**
 * A folder of this process, readable by its user alone, where archives wait
 * for synthesis to copy them into the stack folder (a cdktf asset copies a
 * file that exists). Named by their hash; removed when the process exits.
 */
let stagingFolder: string | undefined;
function stagedArchive(packed: PackedApp): string {
  if (!stagingFolder) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-app-artifact-"));
    process.once("exit", () => fs.rmSync(folder, { recursive: true, force: true }));
    stagingFolder = folder;
  }
  const folder = path.join(stagingFolder, packed.sha256);
  const file = path.join(folder, APP_ARCHIVE_NAME);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(file, packed.archive, { mode: 0o600 });
  }
  return file;
}

/** Noncurrent versions of the archive kept whatever their age, and days before older ones expire. */
export const ARTIFACT_RETENTION = { keptVersions: [1, 100], noncurrentDays: [1, 3650] } as const;

/** What each optional prop is when left out (the name builder reads the bucket's). */
export const APP_ARTIFACT_DEFAULTS = {
  bucketPrefix: "inventory-app-",
  nameTag: "Inventory app artifacts",
  keptVersions: 10,
  noncurrentDays: 30,
} as const satisfies Partial<AppArtifactProps>;

export interface AppArtifactProps {
  /** Folder of the app (the repo's `app/`). */
  readonly appDirectory: string;
  /** Start of the bucket's generated name (at most 37 characters). @default "inventory-app-" */
  readonly bucketPrefix?: string;
  /** Name tag of the bucket. @default "Inventory app artifacts" */
  readonly nameTag?: string;
  /** Replaced versions of the archive kept however old, for launch template versions that still name them (1 to 100). @default 10 */
  readonly keptVersions?: number;
  /** Days after which a replaced version beyond the kept ones expires (1 to 3650). @default 30 */
  readonly noncurrentDays?: number;
}

/** Problems with the artifact's retention (its bucket's name is the bucket's to check). */
export function appArtifactProblems(props: Pick<AppArtifactProps, "keptVersions" | "noncurrentDays">): PropProblem[] {
  return [
    integerProblem("keptVersions", props.keptVersions ?? APP_ARTIFACT_DEFAULTS.keptVersions, ...ARTIFACT_RETENTION.keptVersions),
    integerProblem("noncurrentDays", props.noncurrentDays ?? APP_ARTIFACT_DEFAULTS.noncurrentDays, ...ARTIFACT_RETENTION.noncurrentDays),
  ].filter((problem) => problem !== undefined);
}

/**
 * The app as a versioned artifact: `app/` packed into a reproducible tar,
 * written into the stack folder at synthesis (a cdktf asset: nothing to
 * build or download at plan time) and uploaded by Terraform to a private
 * bucket of its own (versioned, SSE-KMS, public access blocked, TLS only).
 * The object keeps one key; each new app makes a new object version, and
 * the old ones stay (the newest `keptVersions` however old) for the launch
 * template versions that name them. The servers download the exact
 * `versionId` and check `sha256` before they unpack it.
 */
export class AppArtifact extends PrivateBucket {
  /** The archive's key in the bucket (under `APP_ARTIFACT_PREFIX`). */
  readonly objectKey: string;
  /** ARN pattern of the objects the servers may read: the prefix, not the bucket. */
  readonly readableObjectsArn: string;
  /** The object version Terraform uploaded: known after apply. */
  readonly versionId: string;
  /** SHA-256 of the archive, lower-case hex, known at synthesis. */
  readonly sha256: string;
  /** Size of the archive in bytes. */
  readonly sizeBytes: number;

  constructor(scope: Construct, id: string, props: AppArtifactProps) {
    const bucketPrefix = props.bucketPrefix ?? APP_ARTIFACT_DEFAULTS.bucketPrefix;
    const keptVersions = props.keptVersions ?? APP_ARTIFACT_DEFAULTS.keptVersions;
    const noncurrentDays = props.noncurrentDays ?? APP_ARTIFACT_DEFAULTS.noncurrentDays;
    super(scope, id, {
      bucketPrefix,
      nameTag: props.nameTag ?? APP_ARTIFACT_DEFAULTS.nameTag,
      // Everything in it is built from the repository: a destroy may take it with its versions.
      forceDestroy: true,
      encryption: "aws:kms",
      lifecycleRules: [
        {
          id: "expire-replaced-app-versions",
          status: "Enabled",
          filter: [{ prefix: APP_ARTIFACT_PREFIX }],
          noncurrentVersionExpiration: [{ noncurrentDays, newerNoncurrentVersions: keptVersions }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    // Checked once the bucket's own props are (the base class checks those first).
    refuseProblems(this, appArtifactProblems({ keptVersions, noncurrentDays }));

    const packed = packApp(props.appDirectory);
    const asset = new TerraformAsset(this, "archive", { path: stagedArchive(packed), type: AssetType.FILE, assetHash: packed.sha256 });
    const objectKey = `${APP_ARTIFACT_PREFIX}${APP_ARCHIVE_NAME}`;
    const object = new S3Object(this, "object", {
      bucket: this.bucketName,
      key: objectKey,
      source: asset.path,
      // A new hash is a new object version; the provider reads no file at plan time.
      sourceHash: packed.sha256,
      contentType: "application/x-tar",
      metadata: { sha256: packed.sha256 },
      // After versioning (else no version id for the launch template) and default encryption (else SSE-S3):
      // the bucket's configuration comes in order, the policy last.
      dependsOn: [this.policy],
    });

    this.objectKey = objectKey;
    this.readableObjectsArn = `${this.bucketArn}/${APP_ARTIFACT_PREFIX}*`;
    this.versionId = object.versionId;
    this.sha256 = packed.sha256;
    this.sizeBytes = packed.archive.length;
  }
}
