// Writes the generated documentation: the settings table of docs/settings.md
// and the alarms' defaults of docs/monitoring.md (each between its markers),
// schema/settings.schema.json, schema/exceptions.schema.json, and the
// control, state control and exception tables of docs/security.md, and
// the table of what each CI role can and cannot do in docs/ci-access.md.
//   npm run docs            write them
//   npm run docs -- --check exit 1 when any is out of date
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../src/config/project-root";
import { generatedDocs } from "../src/config/settings-reference";
import { generatedCiAccessDocs } from "../src/policy/ci-access-report";
import { generatedSecurityDocs } from "../src/policy/report";

const check = process.argv.includes("--check");
const stale: string[] = [];
for (const [file, content] of [...generatedDocs(projectRoot()), ...generatedSecurityDocs(projectRoot()), ...generatedCiAccessDocs(projectRoot())]) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (current === content) continue;
  if (check) {
    stale.push(path.relative(projectRoot(), file));
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    console.log(`wrote ${path.relative(projectRoot(), file)}`);
  }
}
if (stale.length > 0) {
  console.error(`out of date (run npm run docs): ${stale.join(", ")}`);
  process.exitCode = 1;
}
