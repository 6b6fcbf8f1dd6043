import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LoopbackCertificates {
  /** CA that signed the server certificate (in the tests, the stand-in for the RDS CA bundle). */
  readonly caFile: string;
  /** Server certificate for 127.0.0.1 (IP and DNS localhost in its names). */
  readonly certificateFile: string;
  readonly keyFile: string;
  /** A CA that signed nothing here, for a client that must refuse the server. */
  readonly unrelatedCaFile: string;
}

/**
 * A throwaway CA and a server certificate it signed for 127.0.0.1, made with
 * openssl (EC P-256 keys: fast to generate), valid `days` days: for servers on
 * loopback that speak TLS, and clients that trust only that CA.
 */
export async function makeLoopbackCertificates(directory: string, openssl: string, days = 2): Promise<LoopbackCertificates> {
  fs.mkdirSync(directory, { recursive: true });
  const file = (name: string) => path.join(directory, name);
  const ca = async (name: string) => {
    await run(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file(`${name}.key`)]);
    await run(openssl, ["req", "-x509", "-new", "-key", file(`${name}.key`), "-days", String(days), "-subj", `/CN=${name}`, "-out", file(`${name}.pem`)]);
  };
  await ca("test-ca");
  await ca("unrelated-ca");
  await run(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file("server.key")]);
  await run(openssl, ["req", "-new", "-key", file("server.key"), "-subj", "/CN=127.0.0.1", "-out", file("server.csr")]);
  fs.writeFileSync(file("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await run(openssl, [
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("test-ca.pem"),
    "-CAkey",
    file("test-ca.key"),
    "-CAcreateserial",
    "-days",
    String(days),
    "-extfile",
    file("server.ext"),
    "-out",
    file("server.pem"),
  ]);
  return {
    caFile: file("test-ca.pem"),
    certificateFile: file("server.pem"),
    keyFile: file("server.key"),
    unrelatedCaFile: file("unrelated-ca.pem"),
  };
}
