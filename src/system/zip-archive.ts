import * as zlib from "node:zlib";

/**
 * The files of a zip archive, by name, read from its central directory:
 * stored and deflated entries, as Terraform writes its saved plans. An
 * archive this cannot read (ZIP64, another compression, a damaged directory)
 * is refused with an error saying why, never read in part.
 */
export function zipEntries(archive: Buffer): Map<string, Buffer> {
  const end = endOfCentralDirectory(archive);
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_HEADER) throw new ZipFormatError(`entry ${index} of the central directory is damaged`);
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const headerExtras = archive.readUInt16LE(offset + 30) + archive.readUInt16LE(offset + 32);
    const local = archive.readUInt32LE(offset + 42);
    const name = archive.toString("utf8", offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + headerExtras;
    if (compressedSize === ZIP64_MARKER || size === ZIP64_MARKER || local === ZIP64_MARKER) throw new ZipFormatError(`${name} is a ZIP64 entry`);
    if (archive.readUInt32LE(local) !== LOCAL_HEADER) throw new ZipFormatError(`the local header of ${name} is damaged`);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const stored = archive.subarray(start, start + compressedSize);
    if (method === STORED) entries.set(name, stored);
    else if (method === DEFLATED) entries.set(name, zlib.inflateRawSync(stored));
    else throw new ZipFormatError(`${name} uses compression method ${method}`);
    if (entries.get(name)!.length !== size) throw new ZipFormatError(`${name} is ${entries.get(name)!.length} bytes, its header says ${size}`);
  }
  return entries;
}

/** An archive zipEntries cannot read. */
export class ZipFormatError extends Error {
  override readonly name = "ZipFormatError";
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_MARKER = 0xffffffff;
const STORED = 0;
const DEFLATED = 8;
/** The end record's own size: the archive comment (up to 65,535 bytes) follows it. */
const END_RECORD_SIZE = 22;

function endOfCentralDirectory(archive: Buffer): number {
  const earliest = Math.max(0, archive.length - END_RECORD_SIZE - 0xffff);
  for (let offset = archive.length - END_RECORD_SIZE; offset >= earliest; offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new ZipFormatError("no end of central directory record: not a zip archive");
}
