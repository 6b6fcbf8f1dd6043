import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { defaultClients, type DrillClients } from "../../src/drill/command";
import { AwsEmulator, EMULATOR_REGION } from "../support/aws-emulator";

/** The drill's clients against the AWS emulator, which speaks TLS with a certificate of a throwaway CA. */
let emulator: AwsEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await AwsEmulator.start();
  // Where the SDK finds its endpoint and credentials: the process environment, as for a user.
  Object.assign(process.env, { AWS_ENDPOINT_URL: emulator.endpoint, AWS_ACCESS_KEY_ID: "emulator", AWS_SECRET_ACCESS_KEY: "emulator" });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
});

afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  await emulator?.stop();
});

function destroy(clients: DrillClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

describe("the drill's AWS clients", () => {
  it("trust the certificates of AWS_CA_BUNDLE, and without it refuse the emulator's", async () => {
    const emitWarning = jest.spyOn(process, "emitWarning");
    const trusting = defaultClients(EMULATOR_REGION, { AWS_CA_BUNDLE: emulator.caFile });
    const plain = defaultClients(EMULATOR_REGION, {});
    try {
      const answer = await trusting.autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
      expect(answer.AutoScalingGroups).toStrictEqual([]);
      await expect(plain.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).rejects.toThrow(/certificate/);
      // The SDK's notice that its 2027 releases need Node.js 22 is not printed.
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
      destroy(trusting);
      destroy(plain);
    }
  });

  it("say so when AWS_CA_BUNDLE names a file that cannot be read", () => {
    const missing = path.join(os.tmpdir(), "no-such-ca-bundle.pem");
    expect(fs.existsSync(missing)).toBe(false);
    expect(() => defaultClients(EMULATOR_REGION, { AWS_CA_BUNDLE: missing })).toThrow(
      `AWS_CA_BUNDLE: cannot read ${missing} (ENOENT); point it at a PEM file of the certificates to trust`,
    );
  });
});
