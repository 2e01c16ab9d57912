// A few raw protobuf encoding helpers for reader edge-case tests: byte-exact control over keys,
// wire types and lengths that a real writer would never produce.
export type Bytes = Uint8Array | number[];

export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? b | 0x80 : b);
  } while (x > 0n);
  return out;
}

export const key = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
export const cat = (...parts: Bytes[]): number[] => parts.flatMap((p) => Array.from(p));
export const fVarint = (field: number, v: number | bigint): number[] => cat(key(field, 0), varint(v));
export const fLen = (field: number, ...payload: Bytes[]): number[] => {
  const body = cat(...payload);
  return cat(key(field, 2), varint(body.length), body);
};
export const fStr = (field: number, s: string): number[] => fLen(field, Array.from(new TextEncoder().encode(s)));
export const f32 = (v: number): number[] => Array.from(new Uint8Array(new Float32Array([v]).buffer));
export const f64 = (v: number): number[] => Array.from(new Uint8Array(new Float64Array([v]).buffer));
export const u8 = (a: Bytes): Uint8Array => Uint8Array.from(a);

/** TensorProto fields by number (onnx.proto). */
export const T = { dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8, rawData: 9, doubleData: 10, uint64Data: 11, externalData: 13, dataLocation: 14 };

/** A TensorProto with packed dims, a name and the given data fields. */
export function tensorProto(name: string, dataType: number, dims: readonly number[], ...data: Bytes[]): number[] {
  return cat(dims.length ? fLen(T.dims, ...dims.map((d) => varint(d))) : [], fVarint(T.dataType, dataType), fStr(T.name, name), ...data);
}

/** A minimal ModelProto: ir_version 8, opset 17, a graph holding `graphBody`. */
export function modelProto(...graphBody: Bytes[]): number[] {
  return cat(fVarint(1, 8), fLen(8, fVarint(2, 17)), fLen(7, fStr(2, 'g'), ...graphBody));
}

/** Graph field 5 = initializer. */
export const initializer = (tensor: Bytes): number[] => fLen(5, tensor);
