import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { App, Fn, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { base64UserData } from "../../src/constructs/compute/app-tier";
import { APP_ARTIFACT_PREFIX, packApp } from "../../src/constructs/compute/app-artifact";
import { withHclSetting } from "../../src/synthesize";
import { terraformBinary } from "../../src/terraform/terraform-cli";
import { renderBootScript, type BootScriptProps } from "../../src/aws/boot-script";
import { createVersionedBucket, putVersion, runFetchApp } from "../support/app-download";
import { AwsEmulator } from "../support/aws-emulator";
import { copyOfApp, filesUnder } from "../support/app-folder";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY, runPhp } from "../support/run-php";

const run = promisify(execFile);

/** What Terraform puts in for the references at apply time, as long as AWS makes them. */
const REALISTIC: BootScriptProps = {
  appDirectory: APP_DIRECTORY,
  databaseHost: "inventory-prod-db.c9akciq32xyz.ap-southeast-2.rds.amazonaws.com", // 63 characters
  databasePort: "3306",
  databaseName: "inventory",
  databaseSecretArn: "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:rds!db-3f8a1c2e-5b7d-4e9f-a1b2-c3d4e5f6a7b8-AbCdEf",
  region: "ap-southeast-2",
  vpcCidr: "172.31.128.0/17",
  artifact: {
    bucket: "staging-inventory-app-20260101123456789000000001", // a generated name: 37 + 26 characters at most
    key: `${APP_ARTIFACT_PREFIX}inventory-app.tar`,
    versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", // S3's are 32 characters
    sha256: packApp(APP_DIRECTORY).sha256,
  },
};

/** What EC2 allows as user data is 16 KB; the app no longer travels in it, and the script stays under 4 KB. */
const USER_DATA_BOUND_BYTES = 4 * 1024;

let tools: Record<string, string>;
let scratch: string;
let script: string;

beforeAll(() => {
  tools = requireCommands(["bash", "shellcheck", "tar", "php", "aws"]);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-boot-script-"));
  script = renderBootScript(REALISTIC);
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("renderBootScript", () => {
  it("is a short script, under 4 KB with realistic values, holding no archive", () => {
    expect(Buffer.byteLength(script)).toBeLessThan(USER_DATA_BOUND_BYTES);
    // No line of base64 or other binary payload: the longest lines are commands.
    expect(Math.max(...script.split("\n").map((line) => line.length))).toBeLessThan(200);
    expect(script).not.toMatch(/[A-Za-z0-9+/]{200,}/);
  });

  it("is valid bash and passes shellcheck", async () => {
    const file = path.join(scratch, "user-data.sh");
    fs.writeFileSync(file, script);
    await expect(run(tools.bash, ["-n", file])).resolves.toBeDefined();
    await expect(run(tools.shellcheck, ["--shell=bash", "--severity=style", file])).resolves.toBeDefined();
  });

  it("installs httpd, PHP and the MySQL driver with dnf and starts php-fpm and httpd at boot", () => {
    const install = /^retry \d+ dnf install -y (.+)$/m.exec(script);
    expect(install?.[1].split(" ")).toEqual(expect.arrayContaining(["httpd", "php", "php-fpm", "php-mysqlnd"]));
    const enable = /^systemctl enable --now (.+)$/m.exec(script);
    expect(enable?.[1].split(" ").sort()).toEqual(["httpd", "php-fpm"]);
  });

  it("downloads and checks the app before anything is installed, and fails the boot when that fails", () => {
    const lines = script.split("\n");
    const fetch = lines.indexOf('fetch_app "$APP_DIR"');
    expect(fetch).toBeGreaterThan(0);
    expect(fetch).toBeLessThan(lines.findIndex((line) => line.startsWith("retry 3 dnf install")));
    // Any failing command ends the boot: the server never starts httpd, the load balancer never finds it healthy.
    expect(lines.slice(0, 5)).toContain("set -euo pipefail");
  });

  it("reads instance id and zone through IMDSv2 and verifies the database against the RDS CA bundle", () => {
    expect(script).toContain("-X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token");
    expect(script).toContain('-H "X-aws-ec2-metadata-token: $TOKEN"');
    expect(script).toMatch(/^retry \d+ curl -fsS [^\n]*-o "\$CA_BUNDLE" "\$CA_URL"$/m);
    expect(script).toContain('db_tls_ca = "$CA_BUNDLE"');
  });

  it.each([
    ["ap-southeast-2", "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"],
    ["cn-north-1", "https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/global/global-bundle.pem"],
    ["cn-northwest-1", "https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/global/global-bundle.pem"],
    ["us-gov-west-1", "https://truststore.pki.us-gov-west-1.rds.amazonaws.com/global/global-bundle.pem"],
    ["us-gov-east-1", "https://truststore.pki.us-gov-west-1.rds.amazonaws.com/global/global-bundle.pem"],
  ])("downloads the RDS CA bundle of the partition: in %s from %s", async (region, url) => {
    // RDS's "Certificate bundles" page for each partition.
    const choice = /^case \$REGION in\n[\s\S]*?\nesac$/m.exec(script)?.[0];
    expect(choice).toContain("CA_URL=");
    const { stdout } = await run(tools.bash, ["-euc", `REGION=${region}\n${choice}\necho "$CA_URL"`]);
    expect(stdout.trim()).toBe(url);
  });

  it("never prints a failed command's arguments, where the IMDS token travels, and keeps its log from other users", async () => {
    const token = "AQAEAFakeImdsTokenValue0123456789abcdef==";
    const logFile = path.join(scratch, "retry", "inventory-boot.log");
    const consoleFile = path.join(scratch, "retry", "console");
    const bin = path.join(scratch, "retry", "bin");
    fs.mkdirSync(bin, { recursive: true });
    // logger -s copies each line to stderr, which the script sends to the console.
    fs.writeFileSync(path.join(bin, "logger"), "#!/bin/sh\ncat >&2\n", { mode: 0o755 });

    // The script up to and including retry(), its log and console in the scratch folder.
    const retryEnd = script.indexOf("\n}\n", script.indexOf("\nretry() {")) + 3;
    const prefix = script.slice(0, retryEnd).replace("/var/log/inventory-boot.log", logFile).replace("/dev/console", consoleFile);
    expect(prefix).toContain(logFile);
    expect(prefix).toContain(consoleFile);
    const harness = [
      prefix,
      "sleep() { :; }",
      `retry 3 false -fsS -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/instance-id || echo "retry returned $?"`,
      // Close the log's pipe and wait for tee and logger to finish writing.
      "exec >/dev/null 2>&1",
      "wait $!",
    ].join("\n");
    const { stdout, stderr } = await run(tools.bash, ["-c", harness], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });

    const log = fs.readFileSync(logFile, "utf8");
    expect(log).toContain("gave up on false after 3 attempts\nretry returned 1\n");
    for (const output of [log, fs.readFileSync(consoleFile, "utf8"), stdout, stderr]) expect(output).not.toContain(token);
    expect(fs.statSync(logFile).mode & 0o777).toBe(0o600);
  });

  it("carries the secret's ARN and nothing secret", () => {
    expect(script).toContain(`DB_SECRET_ARN='${REALISTIC.databaseSecretArn}'`);
    expect(script).not.toMatch(/password|passwd|secret_access_key|SecretString/i);
    expect(script).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
  });

  it("inserts cdktf tokens verbatim", () => {
    const token = (n: number) => `\${TfToken[TOKEN.${n}]}`;
    const rendered = renderBootScript({
      appDirectory: APP_DIRECTORY,
      vpcCidr: "10.0.0.0/16",
      databaseHost: token(1),
      databasePort: token(2),
      databaseName: token(3),
      databaseSecretArn: token(4),
      region: token(5),
      artifact: { bucket: token(6), key: "app/inventory-app.tar", versionId: token(7), sha256: REALISTIC.artifact.sha256 },
    });
    for (const [n, variable] of ["DB_HOST", "DB_PORT", "DB_NAME", "DB_SECRET_ARN", "REGION", "APP_BUCKET", "APP_VERSION_ID"].entries()) {
      expect(rendered).toContain(`\n${variable}='${token(n + 1)}'\n`);
    }
  });

  it("is byte-for-byte reproducible", () => {
    expect(renderBootScript(REALISTIC)).toBe(script);
  });

  it("carries the archive's object version and SHA-256, and refuses a hash that is not one", () => {
    expect(script).toContain(`\nAPP_VERSION_ID='${REALISTIC.artifact.versionId}'\n`);
    expect(script).toContain(`\nAPP_SHA256='${REALISTIC.artifact.sha256}'\n`);
    expect(() => renderBootScript({ ...REALISTIC, artifact: { ...REALISTIC.artifact, sha256: "ABC" } })).toThrow(
      'artifact.sha256: "ABC" is not a lower-case hex SHA-256',
    );
  });

  it("changes with the script and the archive's hash, not with the rest of the app's folder", () => {
    const app = copyOfApp(scratch, "changes");
    const render = (sha256 = REALISTIC.artifact.sha256) => renderBootScript({ ...REALISTIC, appDirectory: app, artifact: { ...REALISTIC.artifact, sha256 } });
    const baseline = render();
    const edit = (file: string, change: (text: string) => string) => {
      const original = fs.readFileSync(path.join(app, file), "utf8");
      fs.writeFileSync(path.join(app, file), change(original));
      const result = render();
      fs.writeFileSync(path.join(app, file), original);
      return result;
    };
    expect(edit("boot/user-data.sh", (text) => text.replace("umask 022", "umask 0022"))).not.toBe(baseline);
    // The app itself reaches the script through its archive's hash only.
    expect(edit("src/App.php", (text) => text.replace("There is no such page.", "No such page."))).toBe(baseline);
    expect(render("0".repeat(64))).not.toBe(baseline);
    expect(render()).toBe(baseline);
  });

  it("refuses Terraform template syntax in the template, naming the line", () => {
    expect(fs.readFileSync(path.join(APP_DIRECTORY, "boot", "user-data.sh"), "utf8")).not.toMatch(/[$%]\{/);
    const app = copyOfApp(scratch, "template-syntax");
    const templateFile = path.join(app, "boot", "user-data.sh");
    const template = fs.readFileSync(templateFile, "utf8");
    const lines = template.split("\n").length;

    fs.writeFileSync(templateFile, `${template}echo "\${HOME}"\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow(`user-data.sh:${lines}: "\${"`);
    fs.writeFileSync(templateFile, `${template}# %{ if true }\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow(`user-data.sh:${lines}: "%{"`);
  });

  it("refuses unknown and missing placeholders", () => {
    const app = copyOfApp(scratch, "placeholders");
    const templateFile = path.join(app, "boot", "user-data.sh");
    const template = fs.readFileSync(templateFile, "utf8");

    fs.writeFileSync(templateFile, `${template}echo '@@DB_USER@@'\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow("unknown placeholder @@DB_USER@@");
    fs.writeFileSync(templateFile, template.replace("@@DB_NAME@@", "inventory"));
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow("placeholders missing from the template: @@DB_NAME@@");
  });

  /** The settings the app loads from the file the rendered script's heredoc writes. */
  async function settingsWritten(rendered: string): Promise<Record<string, unknown>> {
    const settingsBlock = /^cat > \/etc\/inventory\/app\.ini <<SETTINGS\n[\s\S]*?\nSETTINGS$/m.exec(rendered)?.[0];
    expect(settingsBlock).toBeDefined();
    // The script's own assignments, the IMDS answers, then its heredoc, written to a file of ours.
    const assignments = rendered.match(/^[A-Z_]+=('[^'\n]*'|[^\s'"$()]+)$/gm) ?? [];
    const settingsFile = path.join(scratch, "app.ini");
    const harness = [
      ...assignments,
      "INSTANCE_ID=i-0a1b2c3d4e5f67890",
      "AVAILABILITY_ZONE=ap-southeast-2b",
      settingsBlock!.replace("/etc/inventory/app.ini", settingsFile),
    ].join("\n");
    await run(tools.bash, ["-euc", harness]);
    return JSON.parse(await runPhp(tools.php, "echo json_encode(get_object_vars(Inventory\\Settings::load()));", { INVENTORY_APP_SETTINGS: settingsFile }));
  }

  it("writes the settings file the app reads", async () => {
    expect(await settingsWritten(renderBootScript(REALISTIC))).toEqual({
      dbHost: REALISTIC.databaseHost,
      dbPort: 3306,
      dbName: REALISTIC.databaseName,
      dbSecretArn: REALISTIC.databaseSecretArn,
      awsRegion: REALISTIC.region,
      dbTlsCa: "/etc/inventory/rds-global-bundle.pem",
      secretsEndpoint: null,
      cacheDir: "/run/inventory",
      instanceId: "i-0a1b2c3d4e5f67890",
      availabilityZone: "ap-southeast-2b",
      // The VPC's range, so /health/deep's details go to the load balancer's checks; the form tokens' hours and the
      // instance headers are the app's own secure defaults (8 hours, off).
      formTokenHours: 8,
      instanceHeaders: false,
      vpcCidr: "172.31.128.0/17",
    });
  });

  it("writes the form tokens' hours and the instance headers only when they differ from the app's defaults", async () => {
    // The defaults written out or left unset give the same script: an environment that keeps them needs no release.
    expect(renderBootScript({ ...REALISTIC, formTokenHours: 8, instanceHeaders: false })).toBe(script);
    const changed = renderBootScript({ ...REALISTIC, formTokenHours: 24, instanceHeaders: true });
    expect(changed.split("\n").filter((line) => !script.split("\n").includes(line))).toEqual(['form_token_hours = "24"', 'instance_headers = "true"']);
    expect(await settingsWritten(changed)).toMatchObject({ formTokenHours: 24, instanceHeaders: true, vpcCidr: "172.31.128.0/17" });
    expect(await settingsWritten(renderBootScript({ ...REALISTIC, formTokenHours: 168 }))).toMatchObject({ formTokenHours: 168, instanceHeaders: false });
  });

  it.each([0, 169, 2.5])("refuses %s hours for the form tokens, which the app would refuse at boot", (hours) => {
    expect(() => renderBootScript({ ...REALISTIC, formTokenHours: hours })).toThrow(`formTokenHours: ${hours} is not a whole number of hours from 1 to 168`);
  });

  it.each(["json", "hcl"] as const)("survives Terraform from %s: the synthesized user data decodes to the exact script", async (format) => {
    const terraform = terraformBinary();

    // The values reach the script as Terraform references, as the database's do in the stack.
    const outdir = path.join(scratch, `cdktf.out.${format}`);
    withHclSetting(format === "hcl", () => {
      const app = new App({ outdir, hclOutput: format === "hcl" });
      const stack = new TerraformStack(app, "boot-script");
      const variable = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
      const rendered = renderBootScript({
        appDirectory: APP_DIRECTORY,
        vpcCidr: variable("vpc_cidr"),
        databaseHost: variable("db_host"),
        databasePort: variable("db_port"),
        databaseName: variable("db_name"),
        databaseSecretArn: variable("db_secret_arn"),
        region: variable("region"),
        artifact: { bucket: variable("app_bucket"), key: REALISTIC.artifact.key, versionId: variable("app_version_id"), sha256: REALISTIC.artifact.sha256 },
      });
      // Why base64UserData escapes: cdktf refuses the script's double quotes as they are.
      expect(() => Fn.base64encode(rendered)).toThrow(/unescaped double quotes/);
      new TerraformLocal(stack, "user_data", base64UserData(rendered));
      app.synth();
    });

    const workdir = path.join(outdir, "stacks", "boot-script");
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    await run(terraform, ["init", "-input=false"], { cwd: workdir, env });
    const variables = [
      ["db_host", REALISTIC.databaseHost],
      ["db_port", REALISTIC.databasePort],
      ["db_name", REALISTIC.databaseName],
      ["db_secret_arn", REALISTIC.databaseSecretArn],
      ["region", REALISTIC.region],
      ["vpc_cidr", REALISTIC.vpcCidr],
      ["app_bucket", REALISTIC.artifact.bucket],
      ["app_version_id", REALISTIC.artifact.versionId],
    ].flatMap(([name, value]) => ["-var", `${name}=${value}`]);
    const console = execFileSync(terraform, ["console", ...variables], { cwd: workdir, env, input: "local.user_data\n", encoding: "utf8" });
    const userData = Buffer.from(JSON.parse(console.trim()) as string, "base64");

    // Plain text, as the console shows it: what EC2 counts against its limit is the script itself.
    expect(userData.toString("utf8")).toBe(script);
    expect(userData.length).toBeLessThan(USER_DATA_BOUND_BYTES);
  });
});

describe("fetch_app, the script's own download, against S3 in the AWS emulator", () => {
  const BUCKET = "inventory-app-boot-test";
  const KEY = REALISTIC.artifact.key;
  const packed = packApp(APP_DIRECTORY);
  let emulator: AwsEmulator;
  let versions: { app: string; tampered: string; later: string };

  /** The script as a launch template version would carry it, naming one object version and the app's hash. */
  const scriptFor = (versionId: string, sha256 = packed.sha256) =>
    renderBootScript({ ...REALISTIC, region: "us-west-2", artifact: { bucket: BUCKET, key: KEY, versionId, sha256 } });
  const fetchInto = (name: string, rendered: string) =>
    runFetchApp({ bash: tools.bash, aws: tools.aws, emulator, script: rendered, directory: path.join(scratch, "servers", name), scratch });

  beforeAll(async () => {
    emulator = await AwsEmulator.start();
    const s3 = await createVersionedBucket(emulator, BUCKET);
    const app = await putVersion(s3, BUCKET, KEY, packed.archive);
    // One byte changed in the middle of a file's content, as a tampered or corrupted upload would have it.
    const tamperedBytes = Buffer.from(packed.archive);
    tamperedBytes[2000] ^= 0x20;
    const tampered = await putVersion(s3, BUCKET, KEY, tamperedBytes);
    // A newer release on top: the current version is no longer the one a launch template names.
    const release = copyOfApp(scratch, "later-release");
    fs.appendFileSync(path.join(release, "www", "style.css"), "\n/* release 2 */\n");
    const later = await putVersion(s3, BUCKET, KEY, packApp(release).archive);
    versions = { app, tampered, later };
  }, 120_000);
  afterAll(() => emulator?.stop());

  it("unpacks exactly the version it names, though a newer one is current, when its SHA-256 matches", async () => {
    const result = await fetchInto("good", scriptFor(versions.app));
    expect(result).toMatchObject({ status: 0, stderr: "" });
    const unpacked = path.join(scratch, "servers", "good");
    const runtime = filesUnder(APP_DIRECTORY).filter((name) => ["httpd", "src", "templates", "www"].includes(name.split("/")[0]));
    expect(filesUnder(unpacked)).toEqual(runtime);
    for (const name of runtime) expect(fs.readFileSync(path.join(unpacked, name)).equals(fs.readFileSync(path.join(APP_DIRECTORY, name)))).toBe(true);
  });

  it("refuses a tampered archive: the boot fails, naming both hashes, and nothing is unpacked", async () => {
    const result = await fetchInto("tampered", scriptFor(versions.tampered));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`^refusing app version ${versions.tampered.replace(/\./g, "\\.")}: SHA-256 [0-9a-f]{64}, not ${packed.sha256}$`, "m"),
    );
    expect(fs.existsSync(path.join(scratch, "servers", "tampered"))).toBe(false);
  });

  it("refuses the current version when the script names another hash", async () => {
    const result = await fetchInto("newer", scriptFor(versions.later));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`refusing app version ${versions.later}`);
    expect(fs.existsSync(path.join(scratch, "servers", "newer"))).toBe(false);
  });

  it("fails after its retries when the version cannot be downloaded", async () => {
    const result = await fetchInto("missing", scriptFor("no-such-version-0123456789abcdef"));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("gave up on aws after 5 attempts");
    expect(fs.existsSync(path.join(scratch, "servers", "missing"))).toBe(false);
  });
});
