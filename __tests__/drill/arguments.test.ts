import { USAGE, UsageError, parseDrillArguments } from "../../src/drill/arguments";

describe("parseDrillArguments", () => {
  test("an action and an environment are enough; the rest has defaults (a dry run)", () => {
    expect(parseDrillArguments(["instance", "--env", "dev"])).toEqual({
      help: false,
      arguments: { action: "instance", environment: "dev", execute: false, outputsFile: undefined, timeoutSeconds: 900, intervalSeconds: 5 },
    });
    expect(parseDrillArguments(["database", "--env", "dev"])).toMatchObject({ arguments: { timeoutSeconds: 1800 } });
  });

  test("every option, in either --name value or --name=value form and any order", () => {
    expect(parseDrillArguments(["--yes", "--env=prod", "database", "--timeout", "600", "--interval=2.5", "--outputs-file", "out.json"])).toEqual({
      help: false,
      arguments: { action: "database", environment: "prod", execute: true, outputsFile: "out.json", timeoutSeconds: 600, intervalSeconds: 2.5 },
    });
  });

  test.each([[["--help"]], [["-h"]], [["instance", "--bogus", "-h"]]])("%j asks for help", (argv) => {
    expect(parseDrillArguments(argv)).toEqual({ help: true });
  });

  test.each([
    [[], "missing action: instance or database"],
    [["--env", "dev"], "missing action: instance or database"],
    [["reboot", "--env", "dev"], 'unknown action "reboot": expected instance or database'],
    [["instance", "--env", "dev", "--force"], "unknown option --force"],
    [["instance", "--env", "dev", "-y"], "unknown option -y"],
    [["instance", "--env"], "--env needs a value"],
    [["instance", "--env", "--yes"], "--env needs a value"],
    [["instance", "--yes"], "missing --env NAME (the environment whose stack inventory-NAME to drill)"],
    [["instance", "--env", "Dev_1"], '--env "Dev_1" is not an environment name (2-24 lower-case letters, digits and hyphens, starting with a letter)'],
    [["instance", "--env", "../../etc"], '--env "../../etc" is not an environment name (2-24 lower-case letters, digits and hyphens, starting with a letter)'],
    [["instance", "--env", "dev", "--env", "prod"], "--env given twice"],
    [["instance", "--env", "dev", "--timeout", "0"], '--timeout needs a positive number of seconds, got "0"'],
    [["instance", "--env", "dev", "--interval=soon"], '--interval needs a positive number of seconds, got "soon"'],
    [["instance", "--env", "dev", "--yes=no"], "--yes takes no value"],
    [["instance", "database", "--env", "dev"], 'unexpected argument "database"'],
  ])("%j: %s", (argv, message) => {
    expect(() => parseDrillArguments(argv)).toThrow(new UsageError(message));
  });
});

test("the usage names both actions and every option", () => {
  for (const word of ["instance", "database", "--env NAME", "--yes", "--outputs-file FILE", "--interval SECONDS", "--timeout SECONDS", "--help"]) {
    expect(USAGE).toContain(word);
  }
});
