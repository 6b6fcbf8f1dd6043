/**
 * Corrections to cdktf's HCL output (`cdktf synth --hcl`), applied to each
 * stack's cdk.tf before it is written out.
 */

/**
 * One `depends_on` or `lifecycle` `ignore_changes` list as cdktf writes it: the keyword, then one quoted entry per
 * line (a resource's address, or an attribute's name).
 */
const REFERENCE_LIST = /^([ \t]*(?:depends_on|ignore_changes) = \[\n)((?:[ \t]*"(?:data\.)?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*",?\n)+)([ \t]*\])$/gm;

/**
 * cdktf writes the entries of `depends_on` and `ignore_changes` as quoted
 * strings (`"aws_route.x"`, `"launch_template"`), which Terraform still reads
 * but warns about ("Quoted references are deprecated"). This writes them as
 * the references they are (`aws_route.x`, `launch_template`); nothing else in
 * the file changes.
 */
export function unquoteReferenceLists(hcl: string): string {
  return hcl.replace(REFERENCE_LIST, (_list, opening: string, entries: string, closing: string) => {
    return `${opening}${entries.replace(/"([^"\n]+)"/g, "$1")}${closing}`;
  });
}

/** The first line of the comment cdktf writes above an attribute whose type the provider bindings leave out. */
const UNTYPED_WARNING = /^[ \t]*# Warning: The following attribute is of an unexpected type\./;
const OBJECT_ATTRIBUTE = /^([ \t]*)([A-Za-z0-9_]+) = \{$/;

/**
 * cdktf's bindings leave the type of a few deeply nested blocks out (a WAF
 * rule's `statement`, at any depth) and its HCL writer then writes them as
 * object attributes (`statement = { ... }`), which Terraform refuses
 * ("An argument named statement is not expected here"), with a comment
 * that suggests JSON instead. Such a value is blocks all the way down, so
 * this writes each of its objects as a block (`statement { ... }`) and drops
 * the comment. A list of objects there (`x = [ ... ]`) is not written that
 * way by cdktf today; it stops with the line rather than write a wrong file.
 */
export function blocksForUntypedAttributes(hcl: string): string {
  const lines = hcl.split("\n");
  const out: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!UNTYPED_WARNING.test(lines[index])) {
      out.push(lines[index]);
      continue;
    }
    while (index < lines.length && /^[ \t]*#/.test(lines[index])) index++;
    if (lines[index]?.trim() === "") index++;
    if (!OBJECT_ATTRIBUTE.test(lines[index] ?? "")) {
      throw new Error(`cdk.tf line ${index + 1}: an attribute cdktf could not type is not an object: ${lines[index]?.trim()}`);
    }
    // Up to the brace that closes it (cdktf writes one opening or closing brace per line, and does not indent).
    for (let depth = 0; index < lines.length; index++) {
      const line = lines[index];
      if (/ = \[$/.test(line)) throw new Error(`cdk.tf line ${index + 1}: a list inside an attribute cdktf could not type: ${line.trim()}`);
      out.push(line.replace(OBJECT_ATTRIBUTE, "$1$2 {"));
      if (line.trimEnd().endsWith("{")) depth++;
      else if (line.trim().startsWith("}") && --depth === 0) break;
    }
  }
  return out.join("\n");
}
