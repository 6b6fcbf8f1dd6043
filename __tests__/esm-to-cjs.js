// Jest loads modules as CommonJS, and @hpcc-js/wasm-graphviz (Graphviz compiled
// to WebAssembly, which renders the architecture diagram) is published as an
// ES module only. This transform turns it into CommonJS with esbuild, as
// scripts/run.mjs's bundles do; Jest caches the result.
const { transformSync } = require("esbuild");

module.exports = {
  process(source, file) {
    const { code, map } = transformSync(source, { format: "cjs", target: "node20", sourcefile: file, sourcemap: "external", loader: "js" });
    return { code, map };
  },
};
