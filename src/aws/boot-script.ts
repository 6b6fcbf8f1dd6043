import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The app servers' user data: app/boot/user-data.sh with the database's
 * coordinates and the app artifact's (bucket, key, object version, SHA-256)
 * filled in. The script downloads the app itself; nothing of the app is in
 * it. Pure functions on Node built-ins; the AppTier construct passes
 * Terraform references as the values and hands the result to Terraform with
 * `base64UserData()`; __tests__/aws/boot-script.test.ts checks that
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

/** Hours a form's token may hold, as the app accepts them (app/src/Settings.php). */
export const FORM_TOKEN_HOURS = [1, 168] as const;

/** The app's own defaults (app/README.md): a setting left at its default is not written, and the app applies it. */
export const APP_DEFAULTS = { formTokenHours: 8, instanceHeaders: false } as const;

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
  /** Hours a form's token holds before the app refuses it (within `FORM_TOKEN_HOURS`). @default 8 */
  readonly formTokenHours?: number;
  /**
   * Whether every answer carries the X-Inventory-Instance-Id and
   * X-Inventory-Availability-Zone headers, which tell every client the
   * fleet's ids (the page shows which server answered either way).
   * @default false
   */
  readonly instanceHeaders?: boolean;
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
  const problem = formTokenHoursProblem(props.formTokenHours ?? APP_DEFAULTS.formTokenHours);
  if (problem) throw new Error(`formTokenHours: ${problem}`);

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
    APP_SETTINGS: appSettingLines(props),
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

/** Why a number of hours cannot be the app's form_token_hours, or undefined. */
export function formTokenHoursProblem(hours: number): string | undefined {
  const [min, max] = FORM_TOKEN_HOURS;
  return Number.isInteger(hours) && hours >= min && hours <= max ? undefined : `${hours} is not a whole number of hours from ${min} to ${max}`;
}

/**
 * The app's settings-file lines for what differs from its defaults, each on a
 * line of its own after the ones the script always writes; none for the
 * defaults, so an environment that keeps them boots the same script (and
 * needs no release) as before the settings existed.
 */
function appSettingLines(props: BootScriptProps): string {
  const lines: string[] = [];
  const hours = props.formTokenHours ?? APP_DEFAULTS.formTokenHours;
  if (hours !== APP_DEFAULTS.formTokenHours) lines.push(`form_token_hours = "${hours}"`);
  const headers = props.instanceHeaders ?? APP_DEFAULTS.instanceHeaders;
  if (headers !== APP_DEFAULTS.instanceHeaders) lines.push(`instance_headers = "${headers}"`);
  return lines.map((line) => `\n${line}`).join("");
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
