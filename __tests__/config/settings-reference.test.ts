import * as fs from "node:fs";
import { generatedDocs, MONITORING_PAGE, SETTINGS_PAGE, settingsJsonSchema } from "../../src/config/settings-reference";
import { PROJECT_ROOT } from "../support/stacks";

describe("generated settings reference", () => {
  it.each([...generatedDocs(PROJECT_ROOT).entries()].map(([file, content]) => [file.slice(PROJECT_ROOT.length + 1), file, content]))(
    "%s matches the schema (run npm run docs after changing a setting)",
    (_name, file, content) => {
      expect(fs.readFileSync(file, "utf8")).toBe(content);
    },
  );

  it("lists every setting with its default", () => {
    const table = generatedDocs(PROJECT_ROOT).get(`${PROJECT_ROOT}/${SETTINGS_PAGE}`)!;
    expect(table).toContain('| `network.natStrategy` | `"single"` \\| `"per-az"` | `"per-az"` |');
    expect(table).toContain("| `appTier.maxSize` | integer | `2` |");
  });

  it("gives each alarm's defaults and why on the monitoring page", () => {
    const page = generatedDocs(PROJECT_ROOT).get(`${PROJECT_ROOT}/${MONITORING_PAGE}`)!;
    expect(page).toContain("| app fleet | healthy hosts below desired (`healthyHosts`) | 0: ");
    expect(page).toContain("| 3 x 60 s | breaching |");
  });

  it("describes every property, so no setting is undocumented", () => {
    const undocumented: string[] = [];
    const visit = (node: any, path: string) => {
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        const childPath = path ? `${path}.${key}` : key;
        if (!child.description) undocumented.push(childPath);
        if (child.type === "object") visit(child, childPath);
      }
    };
    visit(settingsJsonSchema(), "");
    expect(undocumented).toStrictEqual([]);
  });
});
