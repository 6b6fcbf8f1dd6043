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

/**
 * A zip of `files`, in order, stored: each local header and its data, the
 * central directory, the end record (APPNOTE 6.3). Dated 1980-01-01 00:00
 * (the earliest DOS date), made on Unix with mode 0644, so nothing of the
 * machine or the moment is in it: the same files give the same bytes.
 */
export function storedZip(files: Iterable<readonly [name: string, data: Buffer]>): Buffer {
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for (const [name, data] of files) {
    const fileName = Buffer.from(name, "utf8");
    // From "version needed" to the extra field's length, the local header and the central directory's entry hold
    // the same fields: at 4 in the one, at 6 in the other.
    const shared = Buffer.alloc(26);
    shared.writeUInt16LE(20, 0); // version needed: 2.0
    shared.writeUInt16LE(0x0800, 2); // flags: the name is UTF-8
    shared.writeUInt16LE(STORED, 4);
    shared.writeUInt16LE(dosTime, 6);
    shared.writeUInt16LE(dosDate, 8);
    shared.writeUInt32LE(zlib.crc32(data), 10);
    shared.writeUInt32LE(data.length, 14); // compressed size
    shared.writeUInt32LE(data.length, 18);
    shared.writeUInt16LE(fileName.length, 22);
    shared.writeUInt16LE(0, 24); // extra

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    shared.copy(local, 4);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    shared.copy(central, 6);
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42); // offset of the local header

    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
    count++;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(END_RECORD_SIZE);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, directory, end]);
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
