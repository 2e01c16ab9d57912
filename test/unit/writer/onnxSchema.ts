/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs toObject output is untyped JSON */
// Locates an onnx.proto for protobufjs differential checks: the project's copy in test/fixtures
// (added with the reader), else the one Debian's python3-onnx ships. Tests skip loudly without one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { REPO_ROOT } from '../../support/corpus';

const CANDIDATES = [join(REPO_ROOT, 'test', 'fixtures', 'onnx.proto'), '/usr/lib/python3/dist-packages/onnx/onnx.proto'];
export const ONNX_PROTO = CANDIDATES.find((p) => existsSync(p));
export const schemaTestOptions = { skip: ONNX_PROTO ? false : `no onnx.proto found (looked at ${CANDIDATES.join(', ')})` };

let root: protobuf.Root | undefined;
/** Decodes ModelProto bytes to a plain object (int64 as numbers, bytes as Uint8Array). */
export function decodeModelProto(bytes: Uint8Array): Record<string, any> {
  root ??= protobuf.loadSync(ONNX_PROTO!);
  const M = root.lookupType('onnx.ModelProto');
  return M.toObject(M.decode(bytes), { longs: Number, enums: Number, defaults: false, arrays: true }) as Record<string, any>;
}
