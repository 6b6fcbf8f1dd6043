import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

/**
 * The app servers' user data: app/boot/user-data.sh with the database's
 * coordinates filled in and the app embedded as a base64 tar.gz. Pure
 * functions on Node built-ins; the AppTier construct passes Terraform
 * references as the values.
 * The AppTier construct hands the result to Terraform with
 * `base64UserData()`; __tests__/constructs/boot-script.test.ts checks that
 * Terraform decodes it to the exact script, from JSON and from HCL.
 */

export interface BootScriptProps {
  /** Folder of the app (the repo's app/). */
  readonly appDirectory: string;
  /** Values may be cdktf tokens (opaque strings like "${TfToken[TOKEN.12]}"): insert them verbatim, never escape or inspect them. */
  readonly databaseHost: string;
  /** Database port, as a string (a token of the RDS instance's port). */
  readonly databasePort: string;
  /** Database (schema) the app keeps its table in. */
  readonly databaseName: string;
  /** ARN of the RDS-managed master secret; the app reads the secret itself at run time. */
  readonly databaseSecretArn: string;
  /** Region of the secret (and of Secrets Manager's endpoint). */
  readonly region: string;
}

/** The app's folders the servers run. README.md is documentation and boot/ is this script. */
const APP_ARCHIVE_FOLDERS: readonly string[] = ["httpd", "src", "templates", "www"];

/** Where the archive carries PHP without its comments (templates keep theirs: they mix in HTML). */
const COMMENT_FREE_FOLDERS: readonly string[] = ["src", "www"];

/** EC2's limit on user data, counted before base64: here on the script gzip'd, as `base64UserData()` sends it. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/**
 * Renders the boot script. Throws when the template holds Terraform template
 * syntax, an unknown placeholder, or lacks one.
 */
export function renderBootScript(props: BootScriptProps): string {
  const templateFile = path.join(props.appDirectory, "boot", "user-data.sh");
  const template = fs.readFileSync(templateFile, "utf8");
  assertNoTerraformTemplateSyntax(template, templateFile);

  const app = packApp(props.appDirectory);
  // The script puts these inside single quotes. Terraform resolves the tokens to an RDS
  // endpoint, port, name, ARN and a region, none of which can hold a quote.
  const values: Record<string, string> = {
    DB_HOST: props.databaseHost,
    DB_PORT: props.databasePort,
    DB_NAME: props.databaseName,
    DB_SECRET_ARN: props.databaseSecretArn,
    AWS_REGION: props.region,
    APP_SOURCE_SHA256: app.sourceSha256,
    APP_ARCHIVE: app.archive.toString("base64"),
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

export interface PackedApp {
  /** gzip'd ustar archive of the app's folders, ready to unpack into the app's home. */
  readonly archive: Buffer;
  /** SHA-256 over the archived files' paths and full sources, comments included. */
  readonly sourceSha256: string;
}

/**
 * Packs the app so the result depends on file contents only: sorted entries,
 * mtime 0, owner root, mode 0644. Synthesis is then reproducible (for a given
 * zlib), and the launch template changes exactly when the app does.
 *
 * The PHP under src/ and www/ travels without its comments, each replaced by
 * the line breaks it spanned so that line numbers in the servers' logs still
 * match the repository: the comments were a quarter of the compressed app, and
 * EC2 caps user data at 16 KB. The source digest keeps a comment-only edit
 * visible in the user data all the same.
 */
export function packApp(appDirectory: string): PackedApp {
  const digest = crypto.createHash("sha256");
  const blocks: Buffer[] = [];
  // Files only: tar makes their folders (0755 under the script's umask), and each header left out saves user data.
  for (const [name, source] of archiveFiles(appDirectory)) {
    digest.update(`${name}\0${source.length}\0`).update(source);
    const content =
      COMMENT_FREE_FOLDERS.includes(name.split("/")[0]) && name.endsWith(".php")
        ? Buffer.from(stripPhpComments(source.toString("utf8"), name), "utf8")
        : source;
    blocks.push(ustarHeader(name, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // end of archive: two zero blocks
  const archive = zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
  // The gzip header's OS byte is the build platform's (3 on Linux, 19 on macOS): pin it to "unknown".
  archive[9] = 0xff;
  return { archive, sourceSha256: digest.digest("hex") };
}

/**
 * PHP source with its comments emptied, keeping every line break. Knows
 * quoted strings and attributes (#[...]); refuses heredocs and closing tags,
 * which pure-PHP files here do not use, rather than guess at them.
 */
export function stripPhpComments(source: string, file: string): string {
  let result = "";
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    const next = source[index + 1];
    if (char === "'" || char === '"') {
      let end = index + 1;
      while (end < source.length && source[end] !== char) end += source[end] === "\\" ? 2 : 1;
      if (end >= source.length) throw new Error(`${file}: unterminated string`);
      result += source.slice(index, end + 1);
      index = end + 1;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", index + 2);
      if (end < 0) throw new Error(`${file}: unterminated comment`);
      result += source.slice(index, end + 2).replace(/[^\n]/g, "");
      index = end + 2;
    } else if ((char === "/" && next === "/") || (char === "#" && next !== "[")) {
      const end = source.indexOf("\n", index);
      index = end < 0 ? source.length : end;
    } else if (source.startsWith("<<<", index) || source.startsWith("?>", index)) {
      throw new Error(`${file}: the comment stripper does not handle heredocs or ?>`);
    } else {
      result += char;
      index += 1;
    }
  }
  return result.replace(/[ \t]+$/gm, "");
}

/** The archived files, path ("/"-separated, as in the archive) to content, sorted by path. */
function archiveFiles(appDirectory: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string) => {
    const absolute = path.join(appDirectory, ...relative.split("/"));
    const stat = fs.lstatSync(absolute);
    if (stat.isDirectory()) {
      // Editor and OS droppings (.swp, .DS_Store) must not change the user data.
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

function assertNoTerraformTemplateSyntax(template: string, file: string): void {
  // The rendered script becomes a Terraform string, where these open an interpolation or a directive.
  template.split("\n").forEach((line, index) => {
    const found = /[$%]\{/.exec(line);
    if (found) {
      throw new Error(`${file}:${index + 1}: "${found[0]}" is Terraform template syntax; write $VAR, not the braced form`);
    }
  });
}
