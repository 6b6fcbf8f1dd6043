import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { App, Fn, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { base64UserData } from "../../src/constructs/app-tier";
import { withHclSetting } from "../../src/synthesize";
import { terraformBinary } from "../../src/terraform/terraform-cli";
import { packApp, renderBootScript, stripPhpComments, USER_DATA_LIMIT_BYTES, type BootScriptProps } from "../../src/constructs/boot-script";
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
};

let tools: Record<string, string>;
let scratch: string;
let script: string;

beforeAll(() => {
  tools = requireCommands(["bash", "shellcheck", "tar", "php"]);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-boot-script-"));
  script = renderBootScript(REALISTIC);
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** A copy of app/ that a test may change. */
function copyOfApp(name: string): string {
  const copy = path.join(scratch, name);
  fs.cpSync(APP_DIRECTORY, copy, { recursive: true });
  return copy;
}

/** Unpacks the archive embedded in a rendered script, as the script itself does. */
function unpackEmbeddedArchive(rendered: string, into: string): string {
  const match = /^base64 -d <<'APP_ARCHIVE' \| tar -xzf - -C "\$APP_DIR" --no-same-owner\n([A-Za-z0-9+/=]+)\nAPP_ARCHIVE$/m.exec(rendered);
  if (!match) throw new Error("no embedded archive in the script");
  fs.mkdirSync(into, { recursive: true });
  execFileSync(tools.tar, ["-xzf", "-", "-C", into], { input: Buffer.from(match[1], "base64") });
  return match[1];
}

function filesUnder(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(directory, name)).isFile())
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}

describe("renderBootScript", () => {
  it("fits EC2's 16 KB user-data limit with realistic values, gzip'd", () => {
    // Terraform's base64gzip compresses at gzip's default level, as zlib does here; the
    // Terraform round trip below checks the bytes it really makes.
    expect(zlib.gzipSync(script).length).toBeLessThan(USER_DATA_LIMIT_BYTES);
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
      databaseHost: token(1),
      databasePort: token(2),
      databaseName: token(3),
      databaseSecretArn: token(4),
      region: token(5),
    });
    for (const [n, variable] of ["DB_HOST", "DB_PORT", "DB_NAME", "DB_SECRET_ARN", "REGION"].entries()) {
      expect(rendered).toContain(`\n${variable}='${token(n + 1)}'\n`);
    }
  });

  it("is byte-for-byte reproducible", () => {
    expect(renderBootScript(REALISTIC)).toBe(script);
    expect(packApp(APP_DIRECTORY).archive.equals(packApp(APP_DIRECTORY).archive)).toBe(true);
  });

  it("changes with every change to the app or the script, and with nothing else", () => {
    const app = copyOfApp("changes");
    const render = () => renderBootScript({ ...REALISTIC, appDirectory: app });
    const archive = () => packApp(app).archive;
    const baseline = { script: render(), archive: archive() };
    const edit = (file: string, change: (text: string) => string) => {
      const original = fs.readFileSync(path.join(app, file), "utf8");
      fs.writeFileSync(path.join(app, file), change(original));
      const result = { script: render(), archive: archive() };
      fs.writeFileSync(path.join(app, file), original);
      return result;
    };

    const code = edit("src/App.php", (text) => text.replace("There is no such page.", "No such page."));
    expect(code.archive.equals(baseline.archive)).toBe(false);
    expect(code.script).not.toBe(baseline.script);

    const template = edit("templates/layout.php", (text) => text.replace("Served by", "Answered by"));
    expect(template.script).not.toBe(baseline.script);

    // The archive drops comments, but the source digest in the script still moves.
    const comment = edit("src/App.php", (text) => text.replace("Routes a request", "Sends a request"));
    expect(comment.archive.equals(baseline.archive)).toBe(true);
    expect(comment.script).not.toBe(baseline.script);

    const bootScript = edit("boot/user-data.sh", (text) => text.replace("umask 022", "umask 0022"));
    expect(bootScript.script).not.toBe(baseline.script);

    const readme = edit("README.md", (text) => `${text}\nMore words.\n`);
    expect(readme.script).toBe(baseline.script);

    expect(render()).toBe(baseline.script);
  });

  it("refuses Terraform template syntax in the template, naming the line", () => {
    expect(fs.readFileSync(path.join(APP_DIRECTORY, "boot", "user-data.sh"), "utf8")).not.toMatch(/[$%]\{/);
    const app = copyOfApp("template-syntax");
    const templateFile = path.join(app, "boot", "user-data.sh");
    const template = fs.readFileSync(templateFile, "utf8");
    const lines = template.split("\n").length;

    fs.writeFileSync(templateFile, `${template}echo "\${HOME}"\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow(`user-data.sh:${lines}: "\${"`);
    fs.writeFileSync(templateFile, `${template}# %{ if true }\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow(`user-data.sh:${lines}: "%{"`);
  });

  it("refuses unknown and missing placeholders", () => {
    const app = copyOfApp("placeholders");
    const templateFile = path.join(app, "boot", "user-data.sh");
    const template = fs.readFileSync(templateFile, "utf8");

    fs.writeFileSync(templateFile, `${template}echo '@@DB_USER@@'\n`);
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow("unknown placeholder @@DB_USER@@");
    fs.writeFileSync(templateFile, template.replace("@@DB_NAME@@", "inventory"));
    expect(() => renderBootScript({ ...REALISTIC, appDirectory: app })).toThrow("placeholders missing from the template: @@DB_NAME@@");
  });

  it("writes the settings file the app reads", async () => {
    const rendered = renderBootScript(REALISTIC);
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

    const settings = JSON.parse(
      await runPhp(tools.php, "echo json_encode(get_object_vars(Inventory\\Settings::load()));", { INVENTORY_APP_SETTINGS: settingsFile }),
    );
    expect(settings).toEqual({
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
    });
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
        databaseHost: variable("db_host"),
        databasePort: variable("db_port"),
        databaseName: variable("db_name"),
        databaseSecretArn: variable("db_secret_arn"),
        region: variable("region"),
      });
      // Why base64UserData escapes: cdktf refuses the script's double quotes as they are.
      expect(() => Fn.base64gzip(rendered)).toThrow(/unescaped double quotes/);
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
    ].flatMap(([name, value]) => ["-var", `${name}=${value}`]);
    const console = execFileSync(terraform, ["console", ...variables], { cwd: workdir, env, input: "local.user_data\n", encoding: "utf8" });
    const userData = Buffer.from(JSON.parse(console.trim()) as string, "base64");

    expect(userData.length).toBeLessThan(USER_DATA_LIMIT_BYTES);
    expect(zlib.gunzipSync(userData).toString("utf8")).toBe(script);
  });
});

describe("the embedded app archive", () => {
  let unpacked: string;
  beforeAll(() => {
    unpacked = path.join(scratch, "unpacked");
    unpackEmbeddedArchive(script, unpacked);
  });

  it("holds the app's runtime files only, as root-owned 0644 files", () => {
    const runtimeFolders = ["httpd", "src", "templates", "www"];
    const expected = filesUnder(APP_DIRECTORY).filter((name) => runtimeFolders.includes(name.split("/")[0]));
    expect(filesUnder(unpacked)).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(["httpd/inventory.conf", "www/index.php", "src/App.php"]));

    const listing = execFileSync(tools.tar, ["-tvzf", "-"], { input: packApp(APP_DIRECTORY).archive, encoding: "utf8" })
      .trim()
      .split("\n");
    expect(listing).toHaveLength(expected.length);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- root\/root +\d+ 1970-01-01 00:00 \S+$/);
  });

  it("carries templates, styles and the httpd snippet unchanged", () => {
    for (const name of filesUnder(unpacked).filter((file) => !/^(src|www)\/.*\.php$/.test(file))) {
      expect(fs.readFileSync(path.join(unpacked, name), "utf8")).toBe(fs.readFileSync(path.join(APP_DIRECTORY, name), "utf8"));
    }
  });

  it("carries the PHP without comments, valid, on the same line numbers", async () => {
    for (const name of filesUnder(unpacked).filter((file) => /^(src|www)\/.*\.php$/.test(file))) {
      const shipped = fs.readFileSync(path.join(unpacked, name), "utf8").split("\n");
      const source = fs.readFileSync(path.join(APP_DIRECTORY, name), "utf8").split("\n");
      expect(shipped).toHaveLength(source.length);
      shipped.forEach((line, index) => {
        // A line is kept whole, emptied (a comment) or cut before a trailing comment.
        if (line !== "") expect(source[index].startsWith(line)).toBe(true);
        expect(line).not.toMatch(/^\s*(\/\/|\/\*|\*)/);
      });
      await expect(run(tools.php, ["-l", path.join(unpacked, name)])).resolves.toBeDefined();
    }
  });
});

describe("stripPhpComments", () => {
  it("empties comments and keeps strings, attributes and line breaks", () => {
    const source = [
      "<?php",
      "/**",
      " * A docblock.",
      " */",
      "$url = 'http://example.com/#top'; // trailing",
      '$text = "it\'s # not // a comment \\" still";',
      "# a hash comment",
      "function f(#[\\SensitiveParameter] $secret) {}",
      "$pattern = '#^/items/(\\d+)$#'; /* inline */ $x = 1;",
    ].join("\n");
    expect(stripPhpComments(source, "test.php").split("\n")).toEqual([
      "<?php",
      "",
      "",
      "",
      "$url = 'http://example.com/#top';",
      '$text = "it\'s # not // a comment \\" still";',
      "",
      "function f(#[\\SensitiveParameter] $secret) {}",
      "$pattern = '#^/items/(\\d+)$#';  $x = 1;",
    ]);
  });

  it("refuses what it does not parse rather than guess", () => {
    expect(() => stripPhpComments("<?php $a = <<<EOT\n// x\nEOT;\n", "heredoc.php")).toThrow(
      "heredoc.php: the comment stripper does not handle heredocs or ?>",
    );
    expect(() => stripPhpComments("<?php echo 1 ?>\n<p>", "template.php")).toThrow("does not handle heredocs or ?>");
    expect(() => stripPhpComments("<?php $a = 'open;\n", "string.php")).toThrow("string.php: unterminated string");
  });
});
