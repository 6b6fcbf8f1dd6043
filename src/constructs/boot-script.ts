import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The app servers' user data: app/boot/user-data.sh with the database's
 * coordinates and the app artifact's (bucket, key, object version, SHA-256)
 * filled in. The script downloads the app itself; nothing of the app is in
 * it. Pure functions on Node built-ins; the AppTier construct passes
 * Terraform references as the values and hands the result to Terraform with
 * `base64UserData()`; __tests__/constructs/boot-script.test.ts checks that
 * Terraform decodes it to the exact script, from JSON and from HCL.
 */

/** Where the servers find the app: an object version in S3 and the hash it must have. */
export interface AppArtifactLocation {
  /** Bucket of the archive (a token of the bucket's name). */
  readonly bucket: string;
  /** Key of the archive. */
  readonly key: string;
  /** The object version to download (a token, known after apply). */
  readonly versionId: string;
  /** SHA-256 the archive must have, lower-case hex. */
  readonly sha256: string;
}

export interface BootScriptProps {
  /** Folder of the app (the repo's app/): the template is its boot/user-data.sh. */
  readonly appDirectory: string;
  /** Values may be cdktf tokens (opaque strings like "${TfToken[TOKEN.12]}"): insert them verbatim, never escape or inspect them. */
  readonly databaseHost: string;
  /** Database port, as a string (a token of the RDS instance's port). */
  readonly databasePort: string;
  /** Database (schema) the app keeps its table in. */
  readonly databaseName: string;
  /** ARN of the RDS-managed master secret; the app reads the secret itself at run time. */
  readonly databaseSecretArn: string;
  /** Region of the secret (and of Secrets Manager's and S3's endpoints). */
  readonly region: string;
  /** The VPC's IPv4 range: the app answers /health/deep's details only to the load balancer's own checks from inside it. */
  readonly vpcCidr: string;
  /** The app's archive. */
  readonly artifact: AppArtifactLocation;
}

/** A SHA-256 as the script compares it. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Renders the boot script. Throws when the template holds Terraform template
 * syntax, an unknown placeholder, or lacks one.
 */
export function renderBootScript(props: BootScriptProps): string {
  const templateFile = path.join(props.appDirectory, "boot", "user-data.sh");
  const template = fs.readFileSync(templateFile, "utf8");
  assertNoTerraformTemplateSyntax(template, templateFile);
  if (!SHA256_HEX.test(props.artifact.sha256)) throw new Error(`artifact.sha256: "${props.artifact.sha256}" is not a lower-case hex SHA-256`);

  // The script puts these inside single quotes. Terraform resolves the tokens to an RDS endpoint, port,
  // name, ARN, a region, a bucket name and an S3 version id, and the VPC range is a CIDR: none can hold a quote.
  const values: Record<string, string> = {
    DB_HOST: props.databaseHost,
    DB_PORT: props.databasePort,
    DB_NAME: props.databaseName,
    DB_SECRET_ARN: props.databaseSecretArn,
    AWS_REGION: props.region,
    VPC_CIDR: props.vpcCidr,
    APP_BUCKET: props.artifact.bucket,
    APP_KEY: props.artifact.key,
    APP_VERSION_ID: props.artifact.versionId,
    APP_SHA256: props.artifact.sha256,
  };

  const used = new Set<string>();
  const rendered = template.replace(/@@([A-Z0-9_]+)@@/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${templateFile}: unknown placeholder ${placeholder}`);
    used.add(name);
    return value;
  });
  const missing = Object.keys(values).filter((name) => !used.has(name));
  if (missing.length > 0) {
    throw new Error(`${templateFile}: placeholders missing from the template: ${missing.map((name) => `@@${name}@@`).join(", ")}`);
  }
  return rendered;
}

function assertNoTerraformTemplateSyntax(template: string, file: string): void {
  // The rendered script becomes a Terraform string, where these open an interpolation or a directive.
  template.split("\n").forEach((line, index) => {
    const found = /[$%]\{/.exec(line);
    if (found) {
      throw new Error(`${file}:${index + 1}: "${found[0]}" is Terraform template syntax; write $VAR, not the braced form`);
    }
  });
}
