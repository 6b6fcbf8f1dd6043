/**
 * Corrections to cdktf's HCL output (`cdktf synth --hcl`), applied to each
 * stack's cdk.tf before it is written out.
 */

/** One `depends_on` list as cdktf writes it: the keyword, then one quoted address per line. */
const DEPENDS_ON = /^([ \t]*depends_on = \[\n)((?:[ \t]*"(?:data\.)?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",?\n)+)([ \t]*\])$/gm;

/**
 * cdktf writes `depends_on` entries as quoted strings (`"aws_route.x"`),
 * which Terraform still reads but warns about ("Quoted references are
 * deprecated"). This writes them as the references they are (`aws_route.x`);
 * nothing else in the file changes.
 */
export function unquoteDependsOn(hcl: string): string {
  return hcl.replace(DEPENDS_ON, (_list, opening: string, entries: string, closing: string) => {
    return `${opening}${entries.replace(/"([^"\n]+)"/g, "$1")}${closing}`;
  });
}
