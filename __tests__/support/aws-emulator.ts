import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmulatorEndpoint, motoServerArguments, motoServerEnvironment, motoServerExecutable } from "../../src/emulator/aws-emulator";
import { makeLoopbackCertificates } from "../../src/system/tls-certificates";
import { freePort } from "../../src/system/free-port";
import { ManagedProcess, waitUntil } from "../../src/system/managed-process";
import { requireCommands } from "./require-commands";

export { EMULATOR_ACCOUNT, EMULATOR_REGION, MOTO_INSTALL_HINT } from "../../src/emulator/aws-emulator";

/**
 * moto, the AWS API emulator, as a server on 127.0.0.1 on a free port,
 * speaking TLS with a certificate of a throwaway CA: bucket policies that
 * refuse plain HTTP stay as they are, and Terraform, the AWS SDK and the
 * probes trust only that CA for it. Start it, use it, stop it; the process
 * never outlives the test worker.
 */
export class AwsEmulator extends EmulatorEndpoint {
  private constructor(
    private readonly server: ManagedProcess,
    port: number,
    caFile: string,
    directory: string,
  ) {
    super(port, caFile, directory);
  }

  static async start(): Promise<AwsEmulator> {
    const motoServer = motoServerExecutable();
    const { openssl } = requireCommands(["openssl"]);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "aws-emulator-"));
    const certificates = await makeLoopbackCertificates(directory, openssl);
    const port = await freePort();
    const server = ManagedProcess.start("moto_server", motoServer, motoServerArguments(port, certificates), { env: motoServerEnvironment() });
    const emulator = new AwsEmulator(server, port, certificates.caFile, directory);
    try {
      await waitUntil(server, () => emulator.answers(), 60_000);
      await emulator.configure({ lambda: { use_docker: false } });
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  /** The tail of moto's own log, for a failure message. */
  get log(): string {
    return this.server.output.slice(-4000);
  }

  get isRunning(): boolean {
    return !this.server.hasExited;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
