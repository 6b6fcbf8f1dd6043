import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import ts from "typescript";
import { Construct } from "constructs";
import { PROJECT_ROOT } from "./support/stacks";

// The layout's rule (docs/layout.md), kept true: every file belongs to a layer,
// imports only from its own layer or one below, no two files import each other
// even through others (type-only imports included), and src/constructs/ holds
// constructs only.

/** The layers, lowest first; a path names a folder (ending in /) or a file, and the longest matching path decides. */
const LAYERS: readonly { readonly name: string; readonly paths: readonly string[] }[] = [
  { name: "foundations", paths: ["src/system/", "src/aws/", "src/props/", "src/functions/"] },
  { name: "constructs", paths: ["src/constructs/"] },
  { name: "state backend", paths: ["src/terraform/state-backend.ts"] },
  { name: "config", paths: ["src/config/"] },
  { name: "stacks", paths: ["src/stacks/", "src/ci-access/"] },
  { name: "synthesis", paths: ["src/synthesize.ts", "src/terraform/hcl-output.ts"] },
  { name: "tools", paths: ["src/terraform/", "src/policy/", "src/diagram/", "src/drill/", "src/emulator/", "src/bench/", "src/failover/"] },
  { name: "entry points", paths: ["scripts/", "main.ts", "examples/"] },
];

/** Where the checked files are: the project's TypeScript outside __tests__/. */
const CHECKED = ["src/", "scripts/", "examples/", "main.ts"];

/** One relative import of a file: its specifier resolved to a project file, and whether only types come through it. */
interface Import {
  readonly to: string;
  readonly typeOnly: boolean;
}

/** A project's files (project-relative, "/" separated) and their text. */
type Sources = ReadonlyMap<string, string>;

function readSources(root: string): Sources {
  const sources = new Map<string, string>();
  const visit = (relative: string): void => {
    const full = path.join(root, relative);
    if (fs.statSync(full).isFile()) {
      if (relative.endsWith(".ts")) sources.set(relative, fs.readFileSync(full, "utf8"));
      return;
    }
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      if (entry.isDirectory() && ["node_modules", "cdktf.out", ".gen", ".terraform"].includes(entry.name)) continue;
      visit(path.posix.join(relative, entry.name));
    }
  };
  for (const start of CHECKED) visit(start.replace(/\/$/, ""));
  return sources;
}

function layerOf(file: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.paths) {
      const matches = prefix.endsWith("/") ? file.startsWith(prefix) : file === prefix;
      if (matches && (!best || prefix.length > best.length)) best = { layer: index, length: prefix.length };
    }
  });
  return best?.layer;
}

/** Every import, export ... from, import("...") and require("...") of a relative module, in the AST (comments and strings are not imports). */
function importsOf(file: string, text: string, sources: Sources): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (specifier.startsWith(".")) found.push({ to: resolve(file, specifier, sources), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const onlyTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier.text, onlyTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The project file a relative specifier names: `x.ts`, `x/index.ts`, or the path itself (a JSON file, a folder outside the checked ones). */
function resolve(from: string, specifier: string, sources: Sources): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return [`${target}.ts`, `${target}/index.ts`].find((candidate) => sources.has(candidate)) ?? target;
}

type Graph = ReadonlyMap<string, readonly Import[]>;

function importGraph(sources: Sources): Graph {
  return new Map([...sources].map(([file, text]) => [file, importsOf(file, text, sources)]));
}

/** One line per file outside every layer, and per import from a higher layer or from a file outside every layer. */
function layerProblems(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    const layer = layerOf(file);
    if (layer === undefined) {
      problems.push(`${file} belongs to no layer`);
      continue;
    }
    for (const { to } of imports) {
      const target = layerOf(to);
      if (target === undefined) problems.push(`${file} imports ${to}, which belongs to no layer`);
      else if (target > layer) problems.push(`${file} (${LAYERS[layer].name}) imports ${to} (${LAYERS[target].name}), a higher layer`);
    }
  }
  return problems;
}

/** The import cycles, one per strongly connected group of files (Tarjan), each as its files sorted. */
function importCycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const { to } of graph.get(file) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        connect(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      const selfImport = graph.get(file)?.some(({ to }) => to === file) ?? false;
      if (group.length > 1 || selfImport) cycles.push(group.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles;
}

const loadPackage = createRequire(__filename);

/** The exported classes of a file that extend Construct: directly, through a package's class (TerraformStack), or through another construct of the project. */
function constructClasses(file: string, sources: Sources, seen: ReadonlySet<string> = new Set()): string[] {
  const source = ts.createSourceFile(file, sources.get(file) ?? "", ts.ScriptTarget.Latest, true);
  const imported = new Map<string, { module: string; name: string }>();
  const classes = new Map<string, { exported: boolean; base?: string }>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          imported.set(element.name.text, { module: statement.moduleSpecifier.text, name: (element.propertyName ?? element.name).text });
        }
      }
    }
    if (ts.isClassDeclaration(statement) && statement.name) {
      const heritage = statement.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const exported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      classes.set(statement.name.text, { exported, base: heritage && ts.isIdentifier(heritage) ? heritage.text : undefined });
    }
  }
  const isConstruct = (name: string | undefined, visiting: ReadonlySet<string>): boolean => {
    if (name === undefined || visiting.has(name)) return false;
    const local = classes.get(name);
    if (local) return isConstruct(local.base, new Set([...visiting, name]));
    const from = imported.get(name);
    if (!from) return false;
    if (from.module.startsWith(".")) {
      const target = resolve(file, from.module, sources);
      return !seen.has(target) && constructClasses(target, sources, new Set([...seen, file])).includes(from.name);
    }
    // A package's class (constructs' Construct, cdktf's TerraformStack, a provider resource): asked of the class itself.
    const exported = loadPackage(from.module)[from.name];
    return exported === Construct || (typeof exported === "function" && exported.prototype instanceof Construct);
  };
  return [...classes].filter(([name, { exported }]) => exported && isConstruct(name, new Set())).map(([name]) => name);
}

function constructProblems(sources: Sources): string[] {
  return [...sources.keys()]
    .filter((file) => file.startsWith("src/constructs/"))
    .filter((file) => constructClasses(file, sources).length === 0)
    .map((file) => `${file} exports no construct (a class extending Construct): it belongs outside src/constructs/`);
}

describe("the layout's rule", () => {
  const sources = readSources(PROJECT_ROOT);
  const graph = importGraph(sources);

  it("orders the layers as docs/layout.md says", () => {
    expect(LAYERS.map((layer) => layer.name)).toEqual(["foundations", "constructs", "state backend", "config", "stacks", "synthesis", "tools", "entry points"]);
    const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "layout.md"), "utf8");
    for (const layer of LAYERS) for (const where of layer.paths) expect(page).toContain(`\`${where}\``);
  });

  it("checks every file of src/, scripts/, examples/ and main.ts, each in a layer", () => {
    expect(sources.size).toBeGreaterThanOrEqual(138);
    expect(sources.has("main.ts")).toBe(true);
    expect(sources.has("src/constructs/network/network.ts")).toBe(true);
    expect(sources.has("examples/database-in-a-vpc/stack.ts")).toBe(true);
    expect([...sources.keys()].filter((file) => layerOf(file) === undefined)).toStrictEqual([]);
    const relative = [...graph.values()].flat();
    expect(relative.length).toBeGreaterThanOrEqual(386);
    expect(relative.filter((edge) => edge.typeOnly).length).toBeGreaterThanOrEqual(52);
  });

  it("has no import from a higher layer", () => {
    expect(layerProblems(graph)).toStrictEqual([]);
  });

  it("has no import cycle, type-only imports included", () => {
    expect(importCycles(graph)).toStrictEqual([]);
  });

  it("holds constructs only in src/constructs/", () => {
    const files = [...sources.keys()].filter((file) => file.startsWith("src/constructs/"));
    expect(files.length).toBeGreaterThanOrEqual(21);
    expect(constructProblems(sources)).toStrictEqual([]);
    expect(constructClasses("src/constructs/network/network.ts", sources)).toEqual(["Network"]);
  });
});

describe("the checks themselves", () => {
  const project = (files: Record<string, string>): Sources => new Map(Object.entries(files));

  it("reports an import from a higher layer, type-only or not, and a file outside every layer", () => {
    const sources = project({
      "src/constructs/network/vpc.ts": 'import type { Settings } from "../../config/schema";\nexport const x = 1;\n',
      "src/aws/cidr.ts": 'export { x } from "../constructs/network/vpc";\n',
      "src/config/schema.ts": 'import { x } from "../constructs/network/vpc";\nexport type Settings = typeof x;\n',
      "src/elsewhere/file.ts": "export const y = 2;\n",
    });
    expect(layerProblems(importGraph(sources))).toEqual([
      "src/constructs/network/vpc.ts (constructs) imports src/config/schema.ts (config), a higher layer",
      "src/aws/cidr.ts (foundations) imports src/constructs/network/vpc.ts (constructs), a higher layer",
      "src/elsewhere/file.ts belongs to no layer",
    ]);
  });

  it("reports a cycle through a type-only import, and through three files", () => {
    const sources = project({
      "src/config/tags.ts": 'import type { Settings } from "./schema";\nexport const tags = 1;\n',
      "src/config/schema.ts": 'import { tags } from "./tags";\nexport type Settings = typeof tags;\n',
      "src/drill/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
      "src/drill/b.ts": 'export const b = () => import("./c");\n',
      "src/drill/c.ts": 'const a: typeof import("./a") = require("./a");\nexport default a;\n',
      "src/drill/d.ts": 'import { a } from "./a";\n// import { d } from "./d";\nexport const d = a;\n',
    });
    expect(importCycles(importGraph(sources))).toEqual([
      ["src/config/schema.ts", "src/config/tags.ts"],
      ["src/drill/a.ts", "src/drill/b.ts", "src/drill/c.ts"],
    ]);
  });

  it("reports a file of src/constructs/ without a construct, and follows a construct's base through the project and packages", () => {
    const sources = project({
      "src/constructs/compute/helpers.ts":
        'import { Construct } from "constructs";\nexport function scope(c: Construct) { return c; }\nexport class Plain {}\n',
      "src/constructs/compute/stack.ts": 'import { TerraformStack } from "cdktf";\nexport class Example extends TerraformStack {}\n',
      "src/constructs/compute/base.ts": 'import { Construct as Base } from "constructs";\nexport class Tier extends Base {}\n',
      "src/constructs/compute/derived.ts": 'import { Tier } from "./base";\nclass Inner extends Tier {}\nexport class Outer extends Inner {}\n',
      "src/constructs/compute/hidden.ts": 'import { Construct } from "constructs";\nclass Hidden extends Construct {}\nexport const hidden = Hidden;\n',
    });
    expect(constructProblems(sources)).toEqual([
      "src/constructs/compute/helpers.ts exports no construct (a class extending Construct): it belongs outside src/constructs/",
      "src/constructs/compute/hidden.ts exports no construct (a class extending Construct): it belongs outside src/constructs/",
    ]);
  });
});
