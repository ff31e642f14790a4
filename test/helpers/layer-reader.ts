import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';

/** One member of a tar as an independent reader (tar-stream) sees it. */
export interface ReadMember {
  readonly name: string;
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly uname: string;
  readonly gname: string;
  readonly content: Buffer;
}

/** Reads every member of a gzip'd tar file with tar-stream (PAX paths applied). */
export async function readTarGz(path: string): Promise<ReadMember[]> {
  const members: ReadMember[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
    stream.on('end', () => {
      members.push({
        name: header.name,
        type: header.type ?? 'file',
        mode: header.mode ?? -1,
        uid: header.uid ?? -1,
        gid: header.gid ?? -1,
        mtime: header.mtime ? header.mtime.getTime() / 1000 : -1,
        uname: header.uname ?? '',
        gname: header.gname ?? '',
        content: Buffer.concat(parts),
      });
      next();
    });
  });
  await pipeline(createReadStream(path), createGunzip(), extract);
  return members;
}
