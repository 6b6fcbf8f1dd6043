import { USAGE, UsageError, parseDrillArguments } from "../../src/drill/arguments";

describe("parseDrillArguments", () => {
  test("an action and an environment are enough; the rest has defaults (a dry run)", () => {
    expect(parseDrillArguments(["instance", "--env", "dev"])).toEqual({
      help: false,
      arguments: { action: "instance", environment: "dev", execute: false, outputsFile: undefined, timeoutSeconds: 900, intervalSeconds: 5 },
    });
    expect(parseDrillArguments(["database", "--env", "dev"])).toMatchObject({ arguments: { timeoutSeconds: 1800 } });
    expect(parseDrillArguments(["zone", "--env", "dev"])).toMatchObject({ arguments: { action: "zone", timeoutSeconds: 3600, zone: undefined } });
  });

  test("--zone names the zone the zone drill loses", () => {
    expect(parseDrillArguments(["zone", "--env", "dev", "--zone=us-west-2b", "--yes"])).toMatchObject({
      arguments: { action: "zone", zone: "us-west-2b", execute: true },
    });
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
    [[], "missing action: instance, database or zone"],
    [["--env", "dev"], "missing action: instance, database or zone"],
    [["reboot", "--env", "dev"], 'unknown action "reboot": expected instance, database or zone'],
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
    [["instance", "--env", "dev", "--zone", "us-west-2a"], "--zone is for the zone action only"],
    [["zone", "--env", "dev", "--zone", "us-west-2"], '--zone "us-west-2" is not an availability zone name like us-west-2a'],
  ])("%j: %s", (argv, message) => {
    expect(() => parseDrillArguments(argv)).toThrow(new UsageError(message));
  });
});

test("the usage names every action and every option", () => {
  for (const word of [
    "instance",
    "database",
    "zone",
    "--zone ZONE",
    "--env NAME",
    "--yes",
    "--outputs-file FILE",
    "--interval SECONDS",
    "--timeout SECONDS",
    "--help",
  ]) {
    expect(USAGE).toContain(word);
  }
});
