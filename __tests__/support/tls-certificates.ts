import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  /** CA that signed the server certificate: the test's stand-in for the RDS CA bundle. */
  readonly caFile: string;
  /** Server certificate for 127.0.0.1 (IP and DNS localhost in its names). */
  readonly certificateFile: string;
  readonly keyFile: string;
  /** A CA that signed nothing here, for a client that must refuse the server. */
  readonly unrelatedCaFile: string;
}

/** Makes a CA and a server certificate with openssl (EC P-256 keys: fast to generate). */
export async function makeTestCertificates(directory: string, openssl: string): Promise<TestCertificates> {
  fs.mkdirSync(directory, { recursive: true });
  const file = (name: string) => path.join(directory, name);
  const ca = async (name: string) => {
    await run(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file(`${name}.key`)]);
    await run(openssl, ["req", "-x509", "-new", "-key", file(`${name}.key`), "-days", "2", "-subj", `/CN=${name}`, "-out", file(`${name}.pem`)]);
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
    "2",
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
