// @ts-check
// `npm run lint` (and a suite of `npm test`): ESLint with typescript-eslint's
// type-aware rules, then Prettier's check. Prettier decides the layout; ESLint
// keeps no line over 160 characters, where Prettier cannot break: strings,
// comments, regular expressions.
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import globals from "globals";
import tseslint from "typescript-eslint";

/** The provider's package root (and `@cdktf/provider-aws/`) loads all of its 1,500+ resource classes: over 10 s and 1 GB per process. */
const PROVIDER_ROOT = "^@cdk(tf|tn)/provider-aws/?$";
const PROVIDER_ROOT_IN_SELECTOR = PROVIDER_ROOT.replaceAll("/", "\\/");
const PROVIDER_ROOT_MESSAGE = "Import the resource's own module, @cdktf/provider-aws/lib/<resource>: the package root loads every AWS resource class.";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", ".cache/", "plan-review/", "bench-results/", "app/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Destructuring to leave keys out (`const { a: _unused, ...rest }`) is how an object is copied without them.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_" }],
    },
  },
  {
    // The readers of synthesized Terraform JSON and of Terraform's plan JSON hold those documents as `any`: their shape is
    // Terraform's, resource type by resource type, and every read is checked against what Terraform writes by the tests that
    // run Terraform. The unsafe-`any` rules would ask for a cast at each of a thousand reads, and check nothing more.
    files: [
      "src/terraform/document.ts",
      "src/terraform/plan-review.ts",
      "src/terraform/plan-review-monitoring.ts", // the plan review's Monitoring section, over the same plan values
      "src/terraform/plan-review-network.ts", // and its Network section
      "src/terraform/cost.ts",
      "src/diagram/topology.ts",
      "src/emulator/emulator-gaps.ts", // the emulator's adaptations of synthesized resources, type by type
      "src/policy/**/*.ts",
      "__tests__/**/*.ts",
    ],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
  },
  {
    plugins: { "@stylistic": stylistic },
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: PROVIDER_ROOT, message: PROVIDER_ROOT_MESSAGE }] }],
      // The same for import() and require(), which no-restricted-imports does not see.
      "no-restricted-syntax": [
        "error",
        { selector: `ImportExpression[source.value=/${PROVIDER_ROOT_IN_SELECTOR}/]`, message: PROVIDER_ROOT_MESSAGE },
        { selector: `CallExpression[callee.name="require"][arguments.0.value=/${PROVIDER_ROOT_IN_SELECTOR}/]`, message: PROVIDER_ROOT_MESSAGE },
      ],
      "@stylistic/max-len": [
        "error",
        { code: 160, ignoreUrls: false, ignoreStrings: false, ignoreTemplateLiterals: false, ignoreComments: false, ignoreRegExpLiterals: false },
      ],
    },
  },
);
